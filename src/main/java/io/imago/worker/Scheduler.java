package io.imago.worker;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;

/**
 * Time for background work: what time it is, and running something later on the caller's Vert.x
 * context. Workers and jobs take one instead of reaching for {@code vertx.setTimer} and the system
 * clock, so that tests drive them with a clock they move by hand.
 */
public interface Scheduler {
  Clock clock();

  /** Runs {@code task} once after {@code delay}, on the calling context; the returned action cancels it. */
  Runnable schedule(Duration delay, Runnable task);

  /** Vert.x timers and the given clock: what the service uses. */
  static Scheduler of(Vertx vertx, Clock clock) {
    return new Scheduler() {
      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Runnable schedule(Duration delay, Runnable task) {
        long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> task.run());
        return () -> vertx.cancelTimer(id);
      }
    };
  }
}
