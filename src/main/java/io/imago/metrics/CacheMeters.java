package io.imago.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node cache's meters ({@code imago_cache_*}): what it holds, how downloads were served, its
 * fills, evictions by reason and the prefetch queue. Every counter is registered up front, never
 * on an event loop.
 */
public final class CacheMeters {
  /** Why a cached image left the cache. */
  public static final List<String> EVICTION_REASONS = List.of("pruned", "deleted", "cleared", "stale");
  /** How a fill ended. */
  public static final List<String> FILL_OUTCOMES = List.of("committed", "failed", "discarded");

  private final Counter hits;
  private final Counter misses;
  private final Counter joined;
  private final Counter bytesFromCache;
  private final Counter bytesFromStore;
  private final Counter prefetchFailures;
  private final Map<String, Counter> evictions = new HashMap<>();
  private final Map<String, Counter> fills = new HashMap<>();

  public CacheMeters(MeterRegistry registry, Supplier<Number> bytes, Supplier<Number> entries,
      Supplier<Number> fillsInProgress, Supplier<Number> queueDepth) {
    Gauge.builder("imago_cache_bytes", bytes).description("Bytes of the images in the node cache").baseUnit("bytes")
        .register(registry);
    Gauge.builder("imago_cache_entries", entries).description("Images in the node cache").register(registry);
    Gauge.builder("imago_cache_fills_in_progress", fillsInProgress).description("Cache fills running").register(registry);
    Gauge.builder("imago_cache_prefetch_queue", queueDepth).description("Images queued for prefetching")
        .register(registry);
    hits = Counter.builder("imago_cache_requests").tag("result", "hit")
        .description("Full downloads by how the cache answered").register(registry);
    misses = Counter.builder("imago_cache_requests").tag("result", "miss")
        .description("Full downloads by how the cache answered").register(registry);
    joined = Counter.builder("imago_cache_requests").tag("result", "joined")
        .description("Full downloads by how the cache answered").register(registry);
    bytesFromCache = Counter.builder("imago_cache_served_bytes").tag("source", "cache")
        .description("Bytes sent from the cache (source=cache) and read from stores by fills (source=store)").baseUnit("bytes").register(registry);
    bytesFromStore = Counter.builder("imago_cache_served_bytes").tag("source", "store")
        .description("Bytes sent from the cache (source=cache) and read from stores by fills (source=store)").baseUnit("bytes").register(registry);
    prefetchFailures = Counter.builder("imago_cache_prefetch_failures")
        .description("Prefetch attempts that failed").register(registry);
    for (String r : EVICTION_REASONS) {
      evictions.put(r, Counter.builder("imago_cache_evictions").tag("reason", r)
          .description("Cached images removed, by reason").register(registry));
    }
    for (String o : FILL_OUTCOMES) {
      fills.put(o, Counter.builder("imago_cache_fills").tag("outcome", o)
          .description("Cache fills by outcome").register(registry));
    }
  }

  public void hit() {
    hits.increment();
  }

  public void miss() {
    misses.increment();
  }

  public void joined() {
    joined.increment();
  }

  public void servedFromCache(long n) {
    bytesFromCache.increment(n);
  }

  /** Bytes read from the store by fills. */
  public void readFromStore(long n) {
    bytesFromStore.increment(n);
  }

  public void evicted(String reason) {
    evictions.get(reason).increment();
  }

  public void fillEnded(String outcome) {
    fills.get(outcome).increment();
  }

  public void prefetchFailed() {
    prefetchFailures.increment();
  }
}
