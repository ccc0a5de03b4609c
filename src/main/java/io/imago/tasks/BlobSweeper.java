package io.imago.tasks;

import io.imago.db.BlobGarbageRepository.Garbage;
import io.imago.db.BlobGarbageRepository;
import io.imago.store.StoreRegistry;
import io.imago.worker.Job;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes store data that no image references (queued in {@code blob_garbage} by image deletes and
 * location removals, in the transaction that dropped the reference). A {@link Job}: its worker runs
 * it right after such a change (kicked) and periodically for entries a crash or a store outage left
 * behind. Deleting a blob is idempotent, so two nodes sweeping the same entry do no harm.
 */
public final class BlobSweeper implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(BlobSweeper.class);
  private static final int BATCH = 100;

  private final BlobGarbageRepository garbage;
  private final StoreRegistry stores;

  public BlobSweeper(BlobGarbageRepository garbage, StoreRegistry stores) {
    this.garbage = garbage;
    this.stores = stores;
  }

  @Override
  public String name() {
    return "blob-sweeper";
  }

  @Override
  public Future<Integer> run() {
    return sweep();
  }

  /** One pass over every due entry; completes with how many blobs were deleted. */
  public Future<Integer> sweep() {
    return garbage.due(BATCH).compose(batch -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Garbage g : batch) {
        chain = chain.compose(n -> deleteOne(g).map(ok -> ok ? n + 1 : n));
      }
      return chain.compose(n -> batch.size() == BATCH ? sweep().map(m -> n + m) : Future.succeededFuture(n));
    });
  }

  private Future<Boolean> deleteOne(Garbage g) {
    if (!stores.contains(g.store())) {
      return garbage.failed(g.id(), "unknown store " + g.store()).map(false);
    }
    return garbage.inUse(g).compose(used -> {
      if (used) {
        // referenced again (a new upload of the image published under the same key): keep the data
        LOG.atInfo().setMessage("kept image data that is in use again").addKeyValue("store", g.store())
            .addKeyValue("key", g.key()).addKeyValue("image_id", g.imageId()).log();
        return garbage.done(g.id()).map(false);
      }
      return deleteData(g);
    }).recover(e -> garbage.failed(g.id(), String.valueOf(e.getMessage())).map(false));
  }

  private Future<Boolean> deleteData(Garbage g) {
    return stores.get(g.store()).delete(g.key())
        .compose(v -> garbage.done(g.id()))
        .map(v -> {
          LOG.atInfo().setMessage("deleted image data").addKeyValue("store", g.store())
              .addKeyValue("key", g.key()).addKeyValue("image_id", g.imageId()).log();
          return true;
        })
        .recover(e -> garbage.failed(g.id(), String.valueOf(e.getMessage())).map(false));
  }
}
