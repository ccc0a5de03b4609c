package io.imago.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load generator: request {@code i} is due at {@code t0 + i / rate}, whether or not
 * earlier requests have been answered, and its latency is measured from that <em>intended</em>
 * start, not from when it actually left. A closed loop (send, wait, send) slows down with the
 * server and silently drops the requests a stalled server would have received, so a 2 s stall
 * shows up as one slow request instead of 2 s × rate of them ("coordinated omission"). Here a
 * stall shows up as exactly that many slow requests.
 */
public final class OpenLoop {
  /** Time, injectable so the scheduler can be tested without real waiting. */
  public interface Clock {
    long nanoTime();

    /** Returns at or after {@code deadline} (in {@link #nanoTime()} terms). */
    void sleepUntil(long deadline) throws InterruptedException;
  }

  /** The machine's monotonic clock. */
  public static final Clock SYSTEM = new Clock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadline) throws InterruptedException {
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        LockSupport.parkNanos(left);
      }
    }
  };

  /** One request the scheduler started: its operation name and its completion. */
  public record Issued(String op, CompletionStage<?> done) {}

  /** Starts request number {@code i}; must not block. */
  public interface Requests {
    Issued start(long i);
  }

  /** Told of every finished request (latency from the intended start) or failure. */
  public interface Listener {
    void done(String op, long intendedStart, long latencyNanos, Throwable error);
  }

  /** What a run did: requests started, and those refused because too many were in flight. */
  public record Outcome(long started, long refused) {}

  private OpenLoop() {}

  /** The intended start of request {@code i}. */
  public static long intendedStart(long t0, double ratePerSecond, long i) {
    return t0 + (long) (i * 1e9 / ratePerSecond);
  }

  /**
   * Issues {@code count} requests at {@code ratePerSecond}. When {@code maxInFlight} requests are
   * outstanding, a due request is not sent but reported as failed (a refused request is an error
   * in the results, never a silent gap); the schedule itself never waits for the server.
   */
  public static Outcome run(Clock clock, double ratePerSecond, long count, int maxInFlight, Requests requests,
      Listener listener) throws InterruptedException {
    long t0 = clock.nanoTime();
    AtomicInteger inFlight = new AtomicInteger();
    long refused = 0;
    for (long i = 0; i < count; i++) {
      long due = intendedStart(t0, ratePerSecond, i);
      clock.sleepUntil(due);
      if (inFlight.get() >= maxInFlight) {
        refused++;
        listener.done("refused", due, clock.nanoTime() - due,
            new IllegalStateException(maxInFlight + " requests in flight: the server does not keep up"));
        continue;
      }
      inFlight.incrementAndGet();
      Issued r;
      try {
        r = requests.start(i);
      } catch (RuntimeException e) {
        inFlight.decrementAndGet();
        listener.done("start", due, clock.nanoTime() - due, e);
        continue;
      }
      r.done().whenComplete((v, t) -> {
        inFlight.decrementAndGet();
        listener.done(r.op(), due, clock.nanoTime() - due, t);
      });
    }
    return new Outcome(count - refused, refused);
  }
}
