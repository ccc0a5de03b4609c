package io.imago.worker;

import static java.util.Objects.requireNonNull;

import io.imago.metrics.WorkerMeters;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one pattern for background work: a verticle that runs a {@link Job} every {@code interval}
 * (counted from the end of the previous pass, so passes never overlap or pile up) and whenever it
 * is {@linkplain #kick() kicked}, one pass at a time. Time comes from an injected {@link Scheduler};
 * every pass is counted and timed ({@link WorkerMeters}); a failed pass is logged and the schedule
 * goes on. Nothing runs before the verticle is deployed — nothing starts a timer in a
 * constructor — and undeploying it stops the schedule and waits for the pass in progress, at most
 * {@code stopTimeout}.
 */
public final class JobWorker extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);

  private final Job job;
  private final Duration interval;
  private final boolean runAtStart;
  private final Scheduler scheduler;
  private final WorkerMeters meters;
  private final Duration stopTimeout;
  // set in start(); everything below is touched on that context only
  private volatile Context home;
  private volatile boolean kickedEarly;
  private boolean running;
  private boolean again;
  private boolean stopping;
  private Runnable cancelTimer = () -> { };
  private Promise<Void> idle;

  /**
   * @param interval time between the end of one pass and the start of the next
   * @param runAtStart whether the first pass runs as soon as the worker is deployed (else after
   *     one interval)
   */
  public JobWorker(Job job, Duration interval, boolean runAtStart, Scheduler scheduler, WorkerMeters meters,
      Duration stopTimeout) {
    this.job = requireNonNull(job, "job");
    this.interval = requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    this.runAtStart = runAtStart;
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.meters = requireNonNull(meters, "meters");
    this.stopTimeout = requireNonNull(stopTimeout, "stopTimeout");
  }

  public String name() {
    return job.name();
  }

  @Override
  public Future<?> start() {
    home = context;
    if (runAtStart || kickedEarly) {
      runNow();
    } else {
      scheduleNext();
    }
    return Future.succeededFuture();
  }

  /**
   * Asks for a pass now, or right after the one in progress (several kicks during a pass make one
   * more pass). From any thread; a kick before deployment makes the first pass run at start.
   */
  public void kick() {
    Context c = home;
    if (c == null) {
      kickedEarly = true;
    } else {
      c.runOnContext(v -> runNow());
    }
  }

  private void runNow() {
    if (stopping) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    cancelTimer.run();
    running = true;
    long t0 = System.nanoTime();
    Future<?> pass;
    try {
      pass = job.run();
    } catch (RuntimeException e) {
      pass = Future.failedFuture(e);
    }
    // a pass may complete on a foreign thread (a cache, a client library): come back home first
    pass.onComplete(ar -> onHome(() -> passEnded(ar, t0)));
  }

  private void onHome(Runnable r) {
    if (Vertx.currentContext() == home) {
      r.run();
    } else {
      home.runOnContext(v -> r.run());
    }
  }

  private void passEnded(AsyncResult<?> ar, long t0) {
    running = false;
    meters.run(ar.succeeded(), System.nanoTime() - t0, scheduler.clock().instant().getEpochSecond());
    if (ar.failed()) {
      LOG.atWarn().setMessage("background pass failed").addKeyValue("worker", job.name()).setCause(ar.cause()).log();
    }
    if (stopping) {
      idle.tryComplete();
    } else if (again) {
      again = false;
      runNow();
    } else {
      scheduleNext();
    }
  }


  private void scheduleNext() {
    cancelTimer = scheduler.schedule(interval, this::runNow);
  }

  /** Stops the schedule; completes when the pass in progress is over, or after {@code stopTimeout}. */
  @Override
  public Future<?> stop() {
    stopping = true;
    cancelTimer.run();
    if (!running) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    Runnable giveUp = scheduler.schedule(stopTimeout, () -> {
      if (idle.tryComplete()) {
        LOG.atWarn().setMessage("background pass still running at stop; leaving it").addKeyValue("worker", job.name())
            .addKeyValue("timeout_ms", stopTimeout.toMillis()).log();
      }
    });
    return idle.future().andThen(ar -> giveUp.run());
  }
}
