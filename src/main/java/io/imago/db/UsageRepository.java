package io.imago.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * A project's resource usage, counted from the images table the way Glance's
 * {@code user_get_*_usage} / {@code user_get_*_count} count it (spec/security.md §5.2), in one
 * query over the project's live images ({@code images_live_owner_idx}).
 */
public final class UsageRepository {
  /** Statuses that hold nothing: their images are not counted at all. */
  private static final String GONE = "('killed', 'deleted', 'pending_delete')";
  /** Statuses of an image whose data is being received (Glance's "uploading" count). */
  private static final String RECEIVING = "('saving', 'uploading', 'importing')";
  /** An image being copied to further stores (import's copy-image); it also uses staging space. */
  private static final String COPYING = "COALESCE(properties->>'os_glance_importing_to_stores', '') <> ''";

  private static final String USAGE = "SELECT"
      + " COALESCE(SUM(size * jsonb_array_length(locations)) FILTER (WHERE size > 0 AND status NOT IN " + GONE
      + "), 0)::bigint AS stored_bytes,"
      + " COALESCE(SUM(size) FILTER (WHERE size > 0 AND (status IN ('uploading', 'importing')"
      + " OR (status NOT IN ('uploading', 'importing') AND status NOT IN " + GONE + " AND " + COPYING
      + "))), 0)::bigint AS staged_bytes,"
      + " COUNT(*) FILTER (WHERE status NOT IN " + GONE + ") AS image_count,"
      + " COUNT(*) FILTER (WHERE status IN " + RECEIVING + " OR (status NOT IN " + RECEIVING
      + " AND status NOT IN " + GONE + " AND " + COPYING + ")) AS uploading_count"
      + " FROM images WHERE owner IS NOT DISTINCT FROM $1 AND NOT deleted";

  private final Pool pool;

  public UsageRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * What a project uses, in bytes and counts.
   *
   * @param storedBytes Σ size × locations of images not killed/deleted (legacy {@code user_storage_quota}
   *     and {@code image_size_total})
   * @param stagedBytes Σ size of images in uploading/importing or being copied ({@code image_stage_total})
   * @param imageCount images not killed/deleted ({@code image_count_total})
   * @param uploadingCount images in saving/uploading/importing or being copied ({@code image_count_uploading})
   */
  public record Usage(long storedBytes, long stagedBytes, long imageCount, long uploadingCount) {}

  /** The usage of {@code projectId} (null: images without an owner). */
  public Future<Usage> usage(String projectId) {
    return usage(pool, projectId);
  }

  /** {@link #usage(String)} on a given connection (inside a transaction). */
  public Future<Usage> usage(SqlClient client, String projectId) {
    return client.preparedQuery(USAGE).execute(Tuple.of(projectId)).map(rows -> {
      Row r = rows.iterator().next();
      return new Usage(r.getLong("stored_bytes"), r.getLong("staged_bytes"), r.getLong("image_count"),
          r.getLong("uploading_count"));
    });
  }

  /**
   * Bytes the project stores in images other than {@code imageId}: Glance's
   * {@code user_get_storage_usage(owner, image_id)}, which leaves out the image being uploaded.
   */
  public Future<Long> storedBytesExcept(String projectId, String imageId) {
    return pool.preparedQuery("SELECT COALESCE(SUM(size * jsonb_array_length(locations)), 0)::bigint AS n"
            + " FROM images WHERE owner IS NOT DISTINCT FROM $1 AND NOT deleted AND id <> $2 AND size > 0"
            + " AND status NOT IN " + GONE)
        .execute(Tuple.of(projectId, imageId))
        .map(rows -> rows.iterator().next().getLong("n"));
  }

  /**
   * Serialises, until the end of the caller's transaction, the quota checks of one project on every
   * node sharing the database, so that "count, then insert" cannot be interleaved by another node.
   */
  public Future<Void> lockProject(SqlClient tx, String projectId) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('imago.quota:' || COALESCE($1, ''), 0))")
        .execute(Tuple.of(projectId))
        .mapEmpty();
  }
}
