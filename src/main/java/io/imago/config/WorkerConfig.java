package io.imago.config;

/**
 * Worker pools.
 *
 * @param hashingThreads threads that compute upload digests (0 = number of cores)
 * @param hashingBatchesPerUpload 1 MiB batches of one upload that may wait for the digests before
 *     the upload stops reading its socket (back-pressure)
 * @param blockingThreads threads for short blocking calls (fsync, renames, directory scans)
 */
public record WorkerConfig(int hashingThreads, int hashingBatchesPerUpload, int blockingThreads) {
  public WorkerConfig {
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
        t.integer("workers.blocking_threads", 8));
  }
}
