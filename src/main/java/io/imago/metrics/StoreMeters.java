package io.imago.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one store, tagged {@code store=<id>}: bytes written and read, and every operation's
 * latency by outcome, and failures by kind.
 *
 * <pre>
 * imago_store_written_bytes_total{store}
 * imago_store_read_bytes_total{store}
 * imago_store_operation_duration_seconds{store, operation, outcome}   (outcome: ok or the failure kind)
 * </pre>
 */
public final class StoreMeters {
  private final MeterRegistry registry;
  private final String store;
  private final Counter written;
  private final Counter read;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  /**
   * @param operations the store's operations: their successes are registered now, so that no
   *     meter is created on an event loop in the course of a request (registration takes locks)
   */
  StoreMeters(MeterRegistry registry, String store, java.util.List<String> operations) {
    this.registry = registry;
    this.store = store;
    this.written = Counter.builder("imago_store_written_bytes").tag("store", store).baseUnit("bytes")
        .description("Bytes written to a store").register(registry);
    this.read = Counter.builder("imago_store_read_bytes").tag("store", store).baseUnit("bytes")
        .description("Bytes read from a store (streamed, or sent from its files with sendfile)").register(registry);
    operations.forEach(op -> timer(op, "ok"));
  }

  public void written(long bytes) {
    written.increment(bytes);
  }

  public void read(long bytes) {
    read.increment(bytes);
  }

  /** One finished operation ({@code stat}, {@code read}, {@code create}, {@code commit}, …); outcome {@code ok} or a failure kind. */
  public void operation(String operation, String outcome, long nanos) {
    timer(operation, outcome).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer timer(String operation, String outcome) {
    return timers.computeIfAbsent(operation + '/' + outcome, k -> Timer.builder("imago_store_operation_duration")
        .tag("store", store).tag("operation", operation).tag("outcome", outcome)
        .description("Store operations by outcome").register(registry));
  }
}
