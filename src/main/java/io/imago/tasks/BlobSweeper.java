package io.imago.tasks;

import io.imago.db.BlobGarbageRepository;
import io.imago.db.BlobGarbageRepository.Garbage;
import io.imago.store.StoreRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes store data that no image references (queued in {@code blob_garbage} by image deletes):
 * right after a delete ({@link #kick()}), and periodically for entries a crash or a store outage
 * left behind. Deleting a blob is idempotent, so two nodes sweeping the same entry do no harm.
 */
public final class BlobSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlobSweeper.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final BlobGarbageRepository garbage;
  private final StoreRegistry stores;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final long timer;

  public BlobSweeper(Vertx vertx, BlobGarbageRepository garbage, StoreRegistry stores, Duration interval) {
    this.vertx = vertx;
    this.garbage = garbage;
    this.stores = stores;
    this.timer = vertx.setPeriodic(interval.toMillis(), id -> kick());
  }

  /** Sweeps now (or right after the sweep in progress). */
  public void kick() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    vertx.runOnContext(v -> sweep().onComplete(ar -> {
      if (ar.failed()) {
        LOG.atWarn().setMessage("blob sweep failed").setCause(ar.cause()).log();
      }
      running.set(false);
      if (again.getAndSet(false)) {
        kick();
      }
    }));
  }

  /** One pass over every due entry; completes when they are all handled. */
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
    return stores.get(g.store()).delete(g.key())
        .compose(v -> garbage.done(g.id()))
        .map(v -> {
          LOG.atInfo().setMessage("deleted image data").addKeyValue("store", g.store())
              .addKeyValue("key", g.key()).addKeyValue("image_id", g.imageId()).log();
          return true;
        })
        .recover(e -> garbage.failed(g.id(), String.valueOf(e.getMessage())).map(false));
  }

  @Override
  public void close() {
    vertx.cancelTimer(timer);
  }
}
