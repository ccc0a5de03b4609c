package io.imago.db;

import static io.imago.db.ImageRows.COLUMNS;
import static io.imago.db.ImageRows.ts;

import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.domain.Location;
import io.imago.domain.MemberStatus;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Images in PostgreSQL. Every write is conditional — on {@code revision} for metadata edits, on
 * {@code status} for the status machine — so no lock is held while a client streams for an hour,
 * and a lost race shows up as "no row" for the caller to turn into 409 or 410.
 */
public final class ImageRepository {
  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;
  private final Clock clock;

  public ImageRepository(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** The database clock's "now" at the precision PostgreSQL keeps. */
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** A live (not deleted) image. */
  public Future<Optional<Image>> find(String id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM images WHERE id = $1 AND NOT deleted")
        .execute(Tuple.of(id))
        .map(ImageRepository::first);
  }

  /** A live image and the given project's membership of it (null when none), in one round trip. */
  public Future<Optional<Visible>> findFor(String id, String projectId) {
    return pool.preparedQuery(FIND_FOR).execute(Tuple.of(id, projectId)).map(ImageRepository::visible);
  }

  private static final String FIND_FOR = "SELECT " + qualified() + ", m.status AS member_status FROM images i"
      + " LEFT JOIN image_members m ON m.image_id = i.id AND m.member_id = $2 AND NOT m.deleted"
      + " WHERE i.id = $1 AND NOT i.deleted";

  private static Optional<Visible> visible(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row r = rows.iterator().next();
    String ms = r.getString("member_status");
    return Optional.of(new Visible(ImageRows.image(r), ms == null ? null : MemberStatus.parse(ms).orElse(null)));
  }

  /** One image read under its row lock, and the write that goes with it, on the lock's transaction. */
  public interface LockedImage {
    /** The image as the caller's project sees it, read after the lock was taken; empty when gone. */
    Optional<Visible> found();

    /** An update of the locked row: nobody can have written it since {@link #found()}. */
    Future<Optional<Image>> update(Image changed, List<Location> dropped);
  }

  /**
   * Runs {@code work} on a transaction that holds the image's row lock ({@code SELECT … FOR UPDATE}):
   * writers of one image queue in PostgreSQL, each reading what the previous one committed, instead
   * of retrying. Used when an optimistic write lost a race; the lock is held only for one read, the
   * in-memory change and one write.
   */
  public <T> Future<T> withLock(String id, String projectId, Function<LockedImage, Future<T>> work) {
    return pool.withTransaction(conn -> conn.preparedQuery(FIND_FOR + " FOR UPDATE OF i")
        .execute(Tuple.of(id, projectId))
        .map(ImageRepository::visible)
        .compose(found -> work.apply(new LockedImage() {
          @Override
          public Optional<Visible> found() {
            return found;
          }

          @Override
          public Future<Optional<Image>> update(Image changed, List<Location> dropped) {
            return updateOn(conn, changed, dropped);
          }
        })));
  }

  /** One page of {@code GET /v2/images}, in the query's order (see {@link ImageListQuery}). */
  public Future<List<Image>> list(ImageListQuery query) {
    return pool.preparedQuery(query.sql()).execute(query.params()).map(rows -> {
      List<Image> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(ImageRows.image(r));
      }
      return out;
    });
  }

  /** An image together with the caller's membership of it. */
  public record Visible(Image image, MemberStatus membership) {}

  /** Inserts a new image; an id that was ever used, even by a deleted image, is a 409. */
  public Future<Image> insert(Image i) {
    return insertOn(pool, i);
  }

  /**
   * {@link #insert(Image)} after {@code check} on the same transaction (a quota check that counts
   * and locks): a failed check fails the create before anything is written.
   */
  public Future<Image> insert(Image i, Function<SqlConnection, Future<Void>> check) {
    return pool.withTransaction(conn -> check.apply(conn).compose(v -> insertOn(conn, i)));
  }

  private Future<Image> insertOn(SqlClient client, Image i) {
    return client.preparedQuery("INSERT INTO images (id, name, status, visibility, protected, os_hidden, owner,"
            + " container_format, disk_format, min_ram, min_disk, tags, properties, locations, created_at, updated_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING " + COLUMNS)
        .execute(Tuple.from(Arrays.asList(i.id(), i.name(), i.status().wire(), i.visibility().wire(),
            i.isProtected(), i.osHidden(), i.owner(), i.containerFormat(),
            i.diskFormat(), i.minRam(), i.minDisk(), i.tags().toArray(new String[0]),
            ImageRows.propertiesJson(i.properties()), ImageRows.locationsJson(i.locations()), ts(i.createdAt()),
            ts(i.updatedAt()))))
        .map(rows -> first(rows).orElseThrow())
        .recover(e -> {
          if (e instanceof PgException pe && UNIQUE_VIOLATION.equals(pe.getSqlState())) {
            return Future.failedFuture(ImagoException.conflict("An image with identifier %s already exists", i.id()));
          }
          return Future.failedFuture(e);
        });
  }

  /**
   * Writes the user-editable attributes of {@code changed} if nobody wrote the image since it was
   * read at {@code changed.revision()}; empty when somebody did (reload and try again).
   */
  public Future<Optional<Image>> update(Image changed) {
    return pool.preparedQuery(UPDATE).execute(updateTuple(changed)).map(ImageRepository::first);
  }

  /**
   * {@link #update(Image)} that also drops locations: in the same transaction their data is queued
   * for the blob sweeper, so it is referenced by the image or by {@code blob_garbage}, never by
   * neither.
   */
  public Future<Optional<Image>> update(Image changed, List<Location> dropped) {
    if (dropped.isEmpty()) {
      return update(changed);
    }
    return pool.withTransaction(conn -> updateOn(conn, changed, dropped));
  }

  /** The update and, if it wrote, the garbage rows of the dropped locations; on one transaction. */
  private Future<Optional<Image>> updateOn(SqlConnection conn, Image changed, List<Location> dropped) {
    return conn.preparedQuery(UPDATE).execute(updateTuple(changed)).compose(rows -> {
      Optional<Image> updated = first(rows);
      if (updated.isEmpty() || dropped.isEmpty()) {
        return Future.succeededFuture(updated);
      }
      List<Tuple> garbage = new ArrayList<>();
      for (Location l : dropped) {
        garbage.add(Tuple.of(l.store(), l.key(), changed.id()));
      }
      return conn.preparedQuery("INSERT INTO blob_garbage (store, blob_key, image_id) VALUES ($1, $2, $3)")
          .executeBatch(garbage)
          .map(updated);
    });
  }

  private static final String UPDATE = "UPDATE images SET name = $3, visibility = $4, protected = $5,"
      + " os_hidden = $6, owner = $7, container_format = $8, disk_format = $9, min_ram = $10, min_disk = $11,"
      + " tags = $12, properties = $13, locations = $14, updated_at = $15, revision = revision + 1"
      + " WHERE id = $1 AND revision = $2 AND NOT deleted RETURNING " + COLUMNS;

  private Tuple updateTuple(Image changed) {
    return Tuple.from(Arrays.asList(changed.id(), changed.revision(), changed.name(),
        changed.visibility().wire(), changed.isProtected(), changed.osHidden(), changed.owner(),
        changed.containerFormat(), changed.diskFormat(), changed.minRam(),
        changed.minDisk(), changed.tags().toArray(new String[0]), ImageRows.propertiesJson(changed.properties()),
        ImageRows.locationsJson(changed.locations()), ts(now())));
  }

  /** {@code from → to} if the image is still in {@code from}; empty otherwise. */
  public Future<Optional<Image>> changeStatus(String id, ImageStatus from, ImageStatus to) {
    from.requireTransition(to);
    String reset = to == ImageStatus.QUEUED ? ", size = NULL, virtual_size = NULL" : "";
    return pool.preparedQuery("UPDATE images SET status = $3, updated_at = $4, revision = revision + 1" + reset
            + " WHERE id = $1 AND status = $2 AND NOT deleted RETURNING " + COLUMNS)
        .execute(Tuple.of(id, from.wire(), to.wire(), ts(now())))
        .map(ImageRepository::first);
  }

  /** {@code queued → saving}, recording which node runs the upload; empty if not queued. */
  public Future<Optional<Image>> startUpload(String id, String nodeId) {
    return pool.preparedQuery("UPDATE images SET status = 'saving', upload_node = $2, updated_at = $3,"
            + " revision = revision + 1 WHERE id = $1 AND status = 'queued' AND NOT deleted RETURNING " + COLUMNS)
        .execute(Tuple.of(id, nodeId, ts(now())))
        .map(ImageRepository::first);
  }

  /** The facts an upload established about the data. */
  public record UploadResult(long size, String checksum, String osHashAlgo, String osHashValue, Long virtualSize,
      Location location) {}

  /**
   * {@code saving → active} with the upload's facts; empty if the image is no longer saving
   * (deleted meanwhile: the caller removes the data and answers 410).
   */
  public Future<Optional<Image>> finishUpload(String id, UploadResult u) {
    // Publishing journalled the blob for deletion (BlobGarbageRepository#journalPublication);
    // referencing it and dropping that entry happen together, so the blob is always accounted for.
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE images SET status = 'active', size = $2,"
            + " checksum = $3, os_hash_algo = $4, os_hash_value = $5, virtual_size = $6, locations = $7,"
            + " upload_node = NULL, updated_at = $8, revision = revision + 1"
            + " WHERE id = $1 AND status = 'saving' AND NOT deleted RETURNING " + COLUMNS)
        .execute(Tuple.from(Arrays.asList(id, u.size(), u.checksum(), u.osHashAlgo(), u.osHashValue(),
            u.virtualSize(), ImageRows.locationsJson(List.of(u.location())), ts(now()))))
        .compose(rows -> {
          Optional<Image> done = first(rows);
          if (done.isEmpty()) {
            return Future.succeededFuture(done); // the journal entry stays: the data goes
          }
          return conn.preparedQuery("DELETE FROM blob_garbage WHERE store = $1 AND blob_key = $2")
              .execute(Tuple.of(u.location().store(), u.location().key())).map(done);
        }));
  }

  /** {@code saving → queued} after a failed upload (size reset, as Glance does); empty if not saving. */
  public Future<Optional<Image>> abortUpload(String id) {
    return pool.preparedQuery("UPDATE images SET status = 'queued', size = NULL, virtual_size = NULL,"
            + " upload_node = NULL, updated_at = $2, revision = revision + 1"
            + " WHERE id = $1 AND status = 'saving' AND NOT deleted RETURNING " + COLUMNS)
        .execute(Tuple.of(id, ts(now())))
        .map(ImageRepository::first);
  }

  /**
   * Uploads this node was running when it stopped without finishing them: back to queued. Run at
   * start, before the node accepts requests.
   */
  public Future<Integer> resetAbandonedUploads(String nodeId) {
    return pool.preparedQuery("UPDATE images SET status = 'queued', size = NULL, virtual_size = NULL,"
            + " upload_node = NULL, updated_at = $2, revision = revision + 1"
            + " WHERE status = 'saving' AND upload_node = $1 AND NOT deleted")
        .execute(Tuple.of(nodeId, ts(now())))
        .map(RowSet::rowCount);
  }

  /** What a delete did. */
  public enum DeleteOutcome { DELETED, NOT_FOUND, PROTECTED }

  /**
   * Soft-deletes the image and its members, and queues its data for the blob sweeper, in one
   * transaction: the data is referenced either by the image or by {@code blob_garbage}, never by
   * neither.
   */
  public Future<DeleteOutcome> delete(String id) {
    Instant now = now();
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE images SET status = 'deleted', deleted = true,"
            + " deleted_at = $2, updated_at = $2, upload_node = NULL, revision = revision + 1"
            + " WHERE id = $1 AND NOT deleted AND NOT protected RETURNING locations")
        .execute(Tuple.of(id, ts(now)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return conn.preparedQuery("SELECT protected FROM images WHERE id = $1 AND NOT deleted")
                .execute(Tuple.of(id))
                .map(r -> r.size() == 0 ? DeleteOutcome.NOT_FOUND : DeleteOutcome.PROTECTED);
          }
          List<Location> locations = ImageRows.locations(
              (io.vertx.core.json.JsonArray) rows.iterator().next().getValue("locations"));
          List<Tuple> garbage = new ArrayList<>();
          for (Location l : locations) {
            garbage.add(Tuple.of(l.store(), l.key(), id));
          }
          Future<?> queued = garbage.isEmpty() ? Future.succeededFuture()
              : conn.preparedQuery("INSERT INTO blob_garbage (store, blob_key, image_id) VALUES ($1, $2, $3)")
                  .executeBatch(garbage);
          return queued
              .compose(v -> conn.preparedQuery("UPDATE image_members SET deleted = true, updated_at = $2"
                  + " WHERE image_id = $1 AND NOT deleted").execute(Tuple.of(id, ts(now))))
              .map(DeleteOutcome.DELETED);
        }));
  }

  /** Whether any row, live or deleted, uses this id. */
  public Future<Boolean> idExists(String id) {
    return pool.preparedQuery("SELECT 1 FROM images WHERE id = $1").execute(Tuple.of(id)).map(r -> r.size() > 0);
  }

  private static Optional<Image> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(ImageRows.image(rows.iterator().next()));
  }

  private static String qualified() {
    StringBuilder b = new StringBuilder();
    for (String c : COLUMNS.split(",\\s*")) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append("i.").append(c);
    }
    return b.toString();
  }
}
