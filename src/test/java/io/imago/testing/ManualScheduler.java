package io.imago.testing;

import io.imago.worker.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link Scheduler} whose time moves only when a test says so: {@link #advance} runs every task
 * that has come due, in due order, each on the context that scheduled it (like Kraken's mock
 * clock). Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
  private record Task(Instant due, long seq, Context context, Runnable run) {}

  private final List<Task> tasks = new ArrayList<>();
  private Instant now;
  private long seq;

  public ManualScheduler(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Clock clock() {
    return Clock.fixed(now, ZoneOffset.UTC);
  }

  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized Runnable schedule(Duration delay, Runnable run) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("schedule outside a Vert.x context");
    }
    Task t = new Task(now.plus(delay), seq++, context, run);
    tasks.add(t);
    return () -> {
      synchronized (this) {
        tasks.remove(t);
      }
    };
  }

  /** Tasks waiting to run. */
  public synchronized int pending() {
    return tasks.size();
  }

  /** Moves time on by {@code d}, running what comes due on the way (tasks it schedules included). */
  public void advance(Duration d) {
    Instant until;
    synchronized (this) {
      until = now.plus(d);
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.stream().filter(t -> !t.due().isAfter(until))
            .min(Comparator.comparing(Task::due).thenComparing(Task::seq)).orElse(null);
        if (next == null) {
          now = until;
          return;
        }
        tasks.remove(next);
        now = next.due();
      }
      next.context().runOnContext(v -> next.run().run());
    }
  }
}
