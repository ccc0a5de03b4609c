package io.imago.tasks;

import io.imago.db.BlobGarbageRepository;
import io.imago.metrics.Metrics;
import io.imago.store.InstrumentedStore;
import io.imago.store.StoreRegistry;
import io.imago.store.StoredBlob;
import io.imago.worker.Job;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares every store with the database, the safety net under the publication journal: data no
 * image, upload or deletion accounts for, older than the grace period, is queued for the
 * {@link BlobSweeper} (which checks once more that it is unused before deleting it); active images
 * whose data is missing are reported (logged, and counted in {@code imago_store_missing_blobs}).
 *
 * <p>Safe with several nodes on one database: a pass runs only under a PostgreSQL advisory lock, so
 * one node reconciles at a time, and the grace period covers uploads in flight anywhere (their
 * images are {@code saving}, which also accounts for their keys).
 */
public final class StoreReconciler implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(StoreReconciler.class);
  /** The advisory lock's key: "imago reconcile" as a number, the same on every node. */
  static final long LOCK_KEY = 0x696d61676f7263L;

  /** What one pass found. */
  public record Pass(boolean ran, int orphansQueued, int missing) {}

  private final Pool pool;
  private final BlobGarbageRepository garbage;
  private final StoreRegistry stores;
  private final Clock clock;
  private final Duration grace;
  private final Runnable sweepNow;
  private final AtomicLong missingGauge;

  public StoreReconciler(Pool pool, BlobGarbageRepository garbage, StoreRegistry stores, Clock clock, Duration grace,
      Runnable sweepNow, Metrics metrics) {
    this.pool = pool;
    this.garbage = garbage;
    this.stores = stores;
    this.clock = clock;
    this.grace = grace;
    this.sweepNow = sweepNow;
    this.missingGauge = metrics.gauge("imago_store_missing_blobs",
        "Active images whose data the last store reconciliation did not find");
  }

  @Override
  public String name() {
    return "store-reconciler";
  }

  @Override
  public Future<Pass> run() {
    return pool.getConnection().compose(conn -> conn.query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ") AS got")
        .execute()
        .compose(rows -> rows.iterator().next().getBoolean("got")
            ? reconcileAll().eventually(() -> unlock(conn))
            : Future.succeededFuture(new Pass(false, 0, 0)))
        .eventually(conn::close));
  }

  private Future<Void> unlock(SqlConnection conn) {
    return conn.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")").execute().mapEmpty();
  }

  private Future<Pass> reconcileAll() {
    Future<Pass> chain = Future.succeededFuture(new Pass(true, 0, 0));
    for (StoreRegistry.Entry entry : stores.enabled()) {
      InstrumentedStore store = entry.store();
      chain = chain.compose(sum -> reconcile(store)
          .map(p -> new Pass(true, sum.orphansQueued() + p.orphansQueued(), sum.missing() + p.missing())));
    }
    return chain.onSuccess(p -> {
      missingGauge.set(p.missing());
      if (p.orphansQueued() > 0) {
        sweepNow.run();
      }
    });
  }

  private Future<Pass> reconcile(InstrumentedStore store) {
    // the listing first: data published after it is not in it, so it cannot be mistaken for an orphan
    Instant cutoff = clock.instant().minus(grace);
    return store.list().compose(blobs -> garbage.accountedFor(store.id()).compose(accounted ->
        garbage.activeKeys(store.id()).compose(active -> {
          Set<String> present = new HashSet<>();
          List<StoredBlob> orphans = new ArrayList<>();
          for (StoredBlob b : blobs) {
            present.add(b.key());
            if (!accounted.contains(b.key()) && b.modified().isBefore(cutoff)) {
              orphans.add(b);
            }
          }
          int missing = 0;
          for (Map.Entry<String, String> e : active.entrySet()) {
            if (!present.contains(e.getKey())) {
              missing++;
              LOG.atError().setMessage("an active image's data is missing from its store")
                  .addKeyValue("store", store.id()).addKeyValue("key", e.getKey())
                  .addKeyValue("image_id", e.getValue()).log();
            }
          }
          Future<Void> queued = Future.succeededFuture();
          for (StoredBlob o : orphans) {
            queued = queued.compose(v -> garbage.add(store.id(), o.key(), null));
            LOG.atWarn().setMessage("queued data no image accounts for").addKeyValue("store", store.id())
                .addKeyValue("key", o.key()).addKeyValue("bytes", o.size())
                .addKeyValue("modified", o.modified()).log();
          }
          int n = missing;
          return queued.map(v -> new Pass(true, orphans.size(), n));
        })));
  }
}
