package io.imago.worker;

import io.vertx.core.Future;

/**
 * One kind of background work — the blob sweeper, the cache's pruner, cleaner and prefetcher,
 * and the import task runner next — as one pass that a {@link JobWorker} runs on a schedule and on
 * demand. A pass is asynchronous (database and store calls are futures; blocking calls go to the
 * blocking pool) and runs on the worker's event loop, never two at a time.
 */
public interface Job {
  /** The job's name in logs and metrics ({@code worker} tag): {@code blob-sweeper}, {@code cache-pruner}, … */
  String name();

  /** One pass; completes when the pass is over. A failed pass is logged and counted, and the next one comes anyway. */
  Future<?> run();
}
