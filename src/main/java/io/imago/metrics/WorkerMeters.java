package io.imago.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one background worker, tagged {@code worker=<name>}:
 *
 * <pre>
 * imago_worker_runs_total{worker, outcome}            outcome: ok or failed
 * imago_worker_run_duration_seconds{worker}
 * imago_worker_last_success_seconds{worker}           epoch seconds of the last pass that succeeded, by the worker's clock
 * </pre>
 */
public final class WorkerMeters {
  private final Counter ok;
  private final Counter failed;
  private final Timer duration;
  private final AtomicLong lastSuccess = new AtomicLong();

  WorkerMeters(MeterRegistry registry, String worker) {
    this.ok = Counter.builder("imago_worker_runs").tag("worker", worker).tag("outcome", "ok")
        .description("Passes of a background worker by outcome").register(registry);
    this.failed = Counter.builder("imago_worker_runs").tag("worker", worker).tag("outcome", "failed")
        .description("Passes of a background worker by outcome").register(registry);
    this.duration = Timer.builder("imago_worker_run_duration").tag("worker", worker)
        .description("How long a pass of a background worker took").register(registry);
    registry.gauge("imago_worker_last_success_seconds", java.util.List.of(
        io.micrometer.core.instrument.Tag.of("worker", worker)), lastSuccess, AtomicLong::doubleValue);
  }

  public void run(boolean succeeded, long nanos, long epochSecond) {
    (succeeded ? ok : failed).increment();
    duration.record(nanos, TimeUnit.NANOSECONDS);
    if (succeeded) {
      lastSuccess.set(epochSecond);
    }
  }
}
