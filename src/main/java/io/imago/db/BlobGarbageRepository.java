package io.imago.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

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
