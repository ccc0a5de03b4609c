package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The node image cache (spec/cache.md), Glance's {@code image_cache_*} options plus the bounds and
 * periods of its background workers.
 *
 * @param dir {@code image_cache_dir}; null: the cache is off (as in Glance when it is unset)
 * @param maxSize {@code image_cache_max_size}: what the pruner keeps the cached files under
 * @param stallTime {@code image_cache_stall_time}: a fill that writes nothing for this long is
 *     abandoned, and an {@code incomplete/} file this old that no fill owns is deleted
 * @param highWatermark percent of {@code maxSize} at which the pruner starts evicting
 * @param lowWatermark percent of {@code maxSize} it evicts down to
 * @param minFreeDisk the pruner also evicts while the cache's file system has less room than this
 * @param pruneInterval time between two passes of the pruner (it also runs after every fill)
 * @param cleanInterval time between two passes of the cleaner
 * @param prefetchConcurrency how many queued images the prefetcher fetches at once
 */
public record CacheConfig(Path dir, long maxSize, Duration stallTime, int highWatermark, int lowWatermark,
    long minFreeDisk, Duration pruneInterval, Duration cleanInterval, int prefetchConcurrency) {

  public CacheConfig {
    requireNonNull(stallTime, "stallTime");
    requireNonNull(pruneInterval, "pruneInterval");
    requireNonNull(cleanInterval, "cleanInterval");
    if (maxSize <= 0) {
      throw new ConfigException("cache.image_cache_max_size: " + maxSize + " (expected: > 0)");
    }
    if (stallTime.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException("cache.image_cache_stall_time: " + stallTime + " (expected: >= 1s)");
    }
    if (highWatermark < 1 || highWatermark > 100) {
      throw new ConfigException("cache.prune_high_watermark: " + highWatermark + " (expected: 1..100)");
    }
    if (lowWatermark < 0 || lowWatermark > highWatermark) {
      throw new ConfigException("cache.prune_low_watermark: " + lowWatermark
          + " (expected: 0..prune_high_watermark, " + highWatermark + ")");
    }
    if (minFreeDisk < 0) {
      throw new ConfigException("cache.min_free_disk: " + minFreeDisk + " (expected: >= 0)");
    }
    if (pruneInterval.isNegative() || pruneInterval.isZero()) {
      throw new ConfigException("cache.prune_interval: " + pruneInterval + " (expected: > 0)");
    }
    if (cleanInterval.isNegative() || cleanInterval.isZero()) {
      throw new ConfigException("cache.clean_interval: " + cleanInterval + " (expected: > 0)");
    }
    if (prefetchConcurrency < 1 || prefetchConcurrency > 64) {
      throw new ConfigException("cache.prefetch_concurrency: " + prefetchConcurrency + " (expected: 1..64)");
    }
  }

  public boolean enabled() {
    return dir != null;
  }

  /** The size at which pruning starts. */
  public long highBytes() {
    return Math.max(1, maxSize / 100 * highWatermark + maxSize % 100 * highWatermark / 100);
  }

  /** The size pruning goes down to. */
  public long lowBytes() {
    return maxSize / 100 * lowWatermark + maxSize % 100 * lowWatermark / 100;
  }

  /** {@code cache.*} and their defaults (Glance's for its own options). */
  static CacheConfig read(ConfigTree t, Path dataDir) {
    return new CacheConfig(
        t.path("cache.image_cache_dir", null, dataDir),
        t.bytes("cache.image_cache_max_size", 10L << 30),
        t.duration("cache.image_cache_stall_time", Duration.ofDays(1)),
        t.integer("cache.prune_high_watermark", 100),
        t.integer("cache.prune_low_watermark", 90),
        t.bytes("cache.min_free_disk", 1L << 30),
        t.duration("cache.prune_interval", Duration.ofSeconds(30)),
        t.duration("cache.clean_interval", Duration.ofMinutes(10)),
        t.integer("cache.prefetch_concurrency", 2));
  }
}
