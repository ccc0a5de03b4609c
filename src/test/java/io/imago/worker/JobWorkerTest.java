package io.imago.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.ManualScheduler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The background-work pattern, driven by a clock the test moves: schedule, kicks, failures, stop. */
class JobWorkerTest {
  private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
  private static final Duration EVERY = Duration.ofMinutes(5);

  private final Vertx vertx = Vertx.vertx();
  private final ManualScheduler time = new ManualScheduler(T0);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final io.imago.metrics.Metrics metrics = new io.imago.metrics.Metrics(registry);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A job that records when each pass started, and whose passes end when the test says. */
  private final class RecordingJob implements Job {
    final List<Instant> starts = new CopyOnWriteArrayList<>();
    final List<Promise<Void>> open = new CopyOnWriteArrayList<>();
    volatile boolean holdPasses;
    volatile RuntimeException failWith;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public Future<?> run() {
      starts.add(time.now());
      if (failWith != null) {
        throw failWith;
      }
      if (!holdPasses) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      open.add(p);
      return p.future();
    }
  }

  private JobWorker worker(RecordingJob job, boolean runAtStart) {
    return new JobWorker(job, EVERY, runAtStart, time, metrics.worker(job.name()), Duration.ofSeconds(10));
  }

  @Test
  void aPassRunsEveryIntervalOfTheClockAndNotBefore() {
    RecordingJob job = new RecordingJob();
    vertx.deployVerticle(worker(job, false)).await();
    assertThat(job.starts).isEmpty();
    time.advance(EVERY.minusSeconds(1));
    assertThat(job.starts).isEmpty();
    time.advance(Duration.ofSeconds(1));
    Await.until("the first pass", () -> job.starts.size() == 1);
    time.advance(EVERY);
    Await.until("the second pass", () -> job.starts.size() == 2);
    assertThat(job.starts).containsExactly(T0.plus(EVERY), T0.plus(EVERY).plus(EVERY));
    assertThat(registry.scrape()).contains("imago_worker_runs_total{outcome=\"ok\",worker=\"recording\"} 2.0");
  }

  @Test
  void aKickRunsAPassNowAndTheScheduleCountsFromItsEnd() {
    RecordingJob job = new RecordingJob();
    JobWorker w = worker(job, false);
    vertx.deployVerticle(w).await();
    time.advance(Duration.ofMinutes(2));
    w.kick();
    Await.until("the kicked pass", () -> job.starts.size() == 1);
    assertThat(job.starts.get(0)).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    Await.until("the next pass is scheduled", () -> time.pending() == 1);
    time.advance(Duration.ofMinutes(4));
    assertThat(job.starts).hasSize(1); // not at T0 + 5 min: the interval restarted after the kick
    time.advance(Duration.ofMinutes(1));
    Await.until("the scheduled pass", () -> job.starts.size() == 2);
  }

  @Test
  void kicksDuringAPassMakeExactlyOneMorePassAndPassesNeverOverlap() {
    RecordingJob job = new RecordingJob();
    job.holdPasses = true;
    JobWorker w = worker(job, true);
    vertx.deployVerticle(w).await();
    Await.until("the pass at start", () -> job.open.size() == 1);
    w.kick();
    w.kick();
    w.kick();
    time.advance(EVERY.multipliedBy(3)); // nothing is scheduled while a pass runs
    assertThat(job.starts).hasSize(1);
    job.open.get(0).complete();
    Await.until("one more pass for the kicks", () -> job.open.size() == 2);
    job.open.get(1).complete();
    Await.until("back on schedule", () -> time.pending() == 1);
    assertThat(job.starts).hasSize(2);
  }

  @Test
  void aFailedPassIsCountedAndTheScheduleGoesOn() {
    RecordingJob job = new RecordingJob();
    job.failWith = new IllegalStateException("store unavailable");
    vertx.deployVerticle(worker(job, true)).await();
    Await.until("the failed pass is counted",
        () -> registry.scrape().contains("imago_worker_runs_total{outcome=\"failed\",worker=\"recording\"} 1.0"));
    job.failWith = null;
    Await.until("the next pass is scheduled", () -> time.pending() == 1);
    time.advance(EVERY);
    Await.until("the next pass ran", () -> job.starts.size() == 2);
  }

  @Test
  void stoppingWaitsForThePassInProgressAndSchedulesNothingMore() {
    RecordingJob job = new RecordingJob();
    job.holdPasses = true;
    String id = vertx.deployVerticle(worker(job, true)).await();
    Await.until("the pass at start", () -> job.open.size() == 1);
    Future<Void> undeployed = vertx.undeploy(id);
    List<Boolean> doneEarly = new ArrayList<>();
    doneEarly.add(undeployed.isComplete());
    job.open.get(0).complete();
    undeployed.await();
    assertThat(doneEarly).containsExactly(false);
    assertThat(time.pending()).isZero();
    time.advance(EVERY.multipliedBy(2));
    assertThat(job.starts).hasSize(1);
  }
}
