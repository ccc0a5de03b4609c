package io.imago.worker;

import io.imago.config.WorkerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The named worker pools. Event loops never block and never burn CPU per byte: digests go to
 * {@link #hashing()}, short blocking calls (fsync, rename, directory scans) to
 * {@link #blocking()}. Work that must stay in order (one digest, one file) is ordered by its
 * owner — a lane that drains its own queue, or futures chained one after another (STYLE.md §3.4) —
 * never by a pool, so uploads do not wait for each other.
 */
public final class Pools implements AutoCloseable {
  private final ExecutorService hashing;
  private final WorkerExecutor blocking;
  private final int hashingBatchesPerUpload;

  public Pools(Vertx vertx, WorkerConfig config) {
    int cores = Runtime.getRuntime().availableProcessors();
    int hashingThreads = config.hashingThreads() == 0 ? Math.max(2, cores) : config.hashingThreads();
    // A plain pool: digest lanes hand batches straight to it, with no event-loop round trip.
    AtomicInteger n = new AtomicInteger();
    this.hashing = Executors.newFixedThreadPool(hashingThreads, r -> {
      Thread t = new Thread(r, "imago-hashing-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    });
    this.blocking = vertx.createSharedWorkerExecutor("imago-blocking", config.blockingThreads(), 10, TimeUnit.MINUTES);
    this.hashingBatchesPerUpload = config.hashingBatchesPerUpload();
  }

  /** CPU-bound per-byte work: digests. */
  public Executor hashing() {
    return hashing;
  }

  public WorkerExecutor blocking() {
    return blocking;
  }

  /** Runs a short blocking call on the blocking pool, unordered. */
  public <T> Future<T> blocking(Callable<T> call) {
    return blocking.executeBlocking(call, false);
  }

  /** How many 1 MiB batches of one upload may wait for hashing before the socket stops being read. */
  public int hashingBatchesPerUpload() {
    return hashingBatchesPerUpload;
  }

  @Override
  public void close() {
    hashing.shutdown();
    blocking.close();
  }
}
