package io.imago.worker;

import io.imago.config.WorkerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The named worker pools. Event loops never block and never burn CPU per byte: digests go to
 * {@link #hashing()}, short blocking calls (fsync, rename, directory scans) to
 * {@link #blocking()}. Callers pass {@code ordered=false} and get per-stream order by chaining
 * their own futures (STYLE.md §3.4).
 */
public final class Pools implements AutoCloseable {
  private final WorkerExecutor hashing;
  private final WorkerExecutor blocking;
  private final int hashingBatchesPerUpload;

  public Pools(Vertx vertx, WorkerConfig config) {
    int cores = Runtime.getRuntime().availableProcessors();
    int hashingThreads = config.hashingThreads() == 0 ? Math.max(2, cores) : config.hashingThreads();
    this.hashing = vertx.createSharedWorkerExecutor("imago-hashing", hashingThreads, 10, TimeUnit.MINUTES);
    this.blocking = vertx.createSharedWorkerExecutor("imago-blocking", config.blockingThreads(), 10, TimeUnit.MINUTES);
    this.hashingBatchesPerUpload = config.hashingBatchesPerUpload();
  }

  public WorkerExecutor hashing() {
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
    hashing.close();
    blocking.close();
  }
}
