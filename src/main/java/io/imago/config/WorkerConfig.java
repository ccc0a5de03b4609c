package io.imago.config;

import java.time.Duration;

/**
 * Worker pools.
 *
 * @param hashingThreads threads that compute upload digests (0 = number of cores)
 * @param hashingBatchesPerUpload 1 MiB batches of one upload that may wait for the digests before
 *     the upload stops reading its socket (back-pressure)
 * @param blockingThreads threads for short blocking calls (fsync, renames, directory scans)
 * @param reconcileInterval how often the store reconciler compares every store with the database
 *     (it also runs shortly after start)
 * @param orphanGrace how old unaccounted data must be before the reconciler deletes it, and how
 *     long a published blob may wait for its image to reference it (a crash between the two)
 */
public record WorkerConfig(int hashingThreads, int hashingBatchesPerUpload, int blockingThreads,
    Duration reconcileInterval, Duration orphanGrace) {
  /** Default periods: the reconciler hourly, data unaccounted for an hour is an orphan. */
  public WorkerConfig(int hashingThreads, int hashingBatchesPerUpload, int blockingThreads) {
    this(hashingThreads, hashingBatchesPerUpload, blockingThreads, Duration.ofHours(1), Duration.ofHours(1));
  }

  public WorkerConfig {
    if (reconcileInterval.isNegative() || reconcileInterval.isZero()) {
      throw new ConfigException("workers.reconcile_interval: " + reconcileInterval + " (expected: > 0)");
    }
    if (orphanGrace.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException("workers.orphan_grace: " + orphanGrace + " (expected: >= 1s; keep it well above"
          + " the longest pause between publishing a blob and activating its image, minutes, in production)");
    }
    if (hashingThreads < 0) {
      throw new ConfigException("workers.hashing_threads: " + hashingThreads + " (expected: >= 0)");
    }
    if (hashingBatchesPerUpload < 1 || hashingBatchesPerUpload > 1024) {
      throw new ConfigException("workers.hashing_batches_per_upload: " + hashingBatchesPerUpload + " (expected: 1..1024)");
    }
    if (blockingThreads < 1) {
      throw new ConfigException("workers.blocking_threads: " + blockingThreads + " (expected: >= 1)");
    }
  }

  /** {@code workers.*} and their defaults. */
  static WorkerConfig read(ConfigTree t) {
    return new WorkerConfig(
        t.integer("workers.hashing_threads", 0),
        t.integer("workers.hashing_batches_per_upload", 4),
        t.integer("workers.blocking_threads", 8),
        t.duration("workers.reconcile_interval", Duration.ofHours(1)),
        t.duration("workers.orphan_grace", Duration.ofHours(1)));
  }
}
