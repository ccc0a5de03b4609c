package io.imago.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code blob_garbage} outbox: store data no image references any more. */
public final class BlobGarbageRepository {
  private final Pool pool;

  public BlobGarbageRepository(Pool pool) {
    this.pool = pool;
  }

  /** One blob to delete. */
  public record Garbage(long id, String store, String key, String imageId, int attempts) {}

  /** Queues a blob for deletion (for data written but never referenced, e.g. a lost upload race). */
  public Future<Void> add(String store, String key, String imageId) {
    return pool.preparedQuery("INSERT INTO blob_garbage (store, blob_key, image_id) VALUES ($1, $2, $3)")
        .execute(Tuple.of(store, key, imageId)).mapEmpty();
  }

  /**
   * Journals a publication about to happen: {@code key} is queued for deletion after
   * {@code grace}, and the transaction that makes an image reference it removes the entry
   * ({@link ImageRepository#finishUpload}). A crash between publishing and that transaction leaves
   * the entry, so the blob the crash orphaned is deleted, not left for ever.
   */
  public Future<Long> journalPublication(String store, String key, String imageId, Duration grace) {
    return pool.preparedQuery("INSERT INTO blob_garbage (store, blob_key, image_id, not_before)"
            + " VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond') RETURNING id")
        .execute(Tuple.of(store, key, imageId, grace.toMillis()))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** Drops every entry for {@code key}: its data is about to be written again (a new upload of the image). */
  public Future<Void> forget(String store, String key) {
    return pool.preparedQuery("DELETE FROM blob_garbage WHERE store = $1 AND blob_key = $2")
        .execute(Tuple.of(store, key)).mapEmpty();
  }

  /**
   * Whether the data of an entry is in use after all: a live image references it, or its image
   * is receiving an upload now (which may publish under the same key). The sweeper then drops the
   * entry instead of the data.
   */
  public Future<Boolean> inUse(Garbage g) {
    return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM images WHERE NOT deleted AND ("
            + "locations @> jsonb_build_array(jsonb_build_object('store', $1::text, 'key', $2::text))"
            + " OR (id = $3 AND status = 'saving'))) AS used")
        .execute(Tuple.of(g.store(), g.key(), g.imageId()))
        .map(rows -> rows.iterator().next().getBoolean("used"));
  }

  /**
   * Keys of {@code store} that something accounts for: a live image's location, an entry of this
   * queue, or an image receiving an upload (its key is its id).
   */
  public Future<Set<String>> accountedFor(String store) {
    return pool.preparedQuery("SELECT l->>'key' AS k FROM images, jsonb_array_elements(locations) l"
            + " WHERE NOT deleted AND l->>'store' = $1"
            + " UNION SELECT blob_key FROM blob_garbage WHERE store = $1"
            + " UNION SELECT id FROM images WHERE status = 'saving' AND NOT deleted")
        .execute(Tuple.of(store))
        .map(rows -> {
          Set<String> keys = new HashSet<>();
          for (Row r : rows) {
            keys.add(r.getString(0));
          }
          return keys;
        });
  }

  /** Keys of {@code store} that active images need, with their image ids (to report missing data). */
  public Future<Map<String, String>> activeKeys(String store) {
    return pool.preparedQuery("SELECT l->>'key' AS k, id FROM images, jsonb_array_elements(locations) l"
            + " WHERE NOT deleted AND status = 'active' AND l->>'store' = $1")
        .execute(Tuple.of(store))
        .map(rows -> {
          Map<String, String> keys = new HashMap<>();
          for (Row r : rows) {
            keys.put(r.getString("k"), r.getString("id"));
          }
          return keys;
        });
  }

  /** Up to {@code limit} entries that are due, oldest first. */
  public Future<List<Garbage>> due(int limit) {
    return pool.preparedQuery("SELECT id, store, blob_key, image_id, attempts FROM blob_garbage"
            + " WHERE not_before <= now() ORDER BY id LIMIT $1")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<Garbage> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Garbage(r.getLong("id"), r.getString("store"), r.getString("blob_key"),
                r.getString("image_id"), r.getInteger("attempts")));
          }
          return out;
        });
  }

  public Future<Void> done(long id) {
    return pool.preparedQuery("DELETE FROM blob_garbage WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Records a failed attempt and backs off: the next try waits 2^attempts seconds, at most an hour. */
  public Future<Void> failed(long id, String error) {
    return pool.preparedQuery("UPDATE blob_garbage SET attempts = attempts + 1, last_error = $2,"
            + " not_before = now() + least(3600, power(2, attempts + 1)) * interval '1 second' WHERE id = $1")
        .execute(Tuple.of(id, error.length() > 1000 ? error.substring(0, 1000) : error)).mapEmpty();
  }
}
