package io.imago.db;

import static io.imago.db.ImageRows.ts;

import io.imago.domain.Member;
import io.imago.domain.MemberStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Image members (sharing) in PostgreSQL. Deleted members are kept, so a re-add reuses the row. */
public final class MemberRepository {
  private static final String COLUMNS = "image_id, member_id, status, created_at, updated_at";

  private final Pool pool;
  private final Clock clock;

  public MemberRepository(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  public Future<List<Member>> list(String imageId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM image_members WHERE image_id = $1 AND NOT deleted"
            + " ORDER BY created_at, member_id")
        .execute(Tuple.of(imageId))
        .map(MemberRepository::all);
  }

  public Future<Optional<Member>> find(String imageId, String memberId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM image_members"
            + " WHERE image_id = $1 AND member_id = $2 AND NOT deleted")
        .execute(Tuple.of(imageId, memberId))
        .map(rows -> all(rows).stream().findFirst());
  }

  public Future<Integer> count(String imageId) {
    return pool.preparedQuery("SELECT count(*) AS n FROM image_members WHERE image_id = $1 AND NOT deleted")
        .execute(Tuple.of(imageId))
        .map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  /**
   * Adds a pending member; a previously deleted member's row is reused (status back to pending,
   * {@code created_at} kept, as Glance does). Empty if the member already exists.
   */
  public Future<Optional<Member>> add(String imageId, String memberId) {
    Instant now = now();
    return pool.preparedQuery("INSERT INTO image_members (image_id, member_id, status, created_at, updated_at)"
            + " VALUES ($1, $2, 'pending', $3, $3)"
            + " ON CONFLICT (image_id, member_id) DO UPDATE SET status = 'pending', deleted = false, updated_at = $3"
            + " WHERE image_members.deleted RETURNING " + COLUMNS)
        .execute(Tuple.of(imageId, memberId, ts(now)))
        .map(rows -> all(rows).stream().findFirst());
  }

  public Future<Optional<Member>> setStatus(String imageId, String memberId, MemberStatus status) {
    return pool.preparedQuery("UPDATE image_members SET status = $3, updated_at = $4"
            + " WHERE image_id = $1 AND member_id = $2 AND NOT deleted RETURNING " + COLUMNS)
        .execute(Tuple.of(imageId, memberId, status.wire(), ts(now())))
        .map(rows -> all(rows).stream().findFirst());
  }

  /** True if a live member was deleted. */
  public Future<Boolean> delete(String imageId, String memberId) {
    return pool.preparedQuery("UPDATE image_members SET deleted = true, updated_at = $3"
            + " WHERE image_id = $1 AND member_id = $2 AND NOT deleted")
        .execute(Tuple.of(imageId, memberId, ts(now())))
        .map(rows -> rows.rowCount() > 0);
  }

  private static List<Member> all(RowSet<Row> rows) {
    List<Member> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new Member(r.getString("image_id"), r.getString("member_id"),
          MemberStatus.parse(r.getString("status")).orElseThrow(),
          r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant()));
    }
    return out;
  }
}
