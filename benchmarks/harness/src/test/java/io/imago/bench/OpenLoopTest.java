package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The open-loop scheduler on a virtual clock: a fake server answers each request after a service
 * time, except during a stall when it answers nothing until the stall ends. No real waiting.
 */
class OpenLoopTest {
  /** A virtual clock whose sleeps complete the fake server's answers that fall due meanwhile. */
  static final class VirtualServer implements OpenLoop.Clock {
    long now;
    final PriorityQueue<long[]> due = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    final List<CompletableFuture<Void>> pending = new ArrayList<>();
    final long serviceNanos;
    final long stallFrom;
    final long stallTo;
    final List<Long> sentAt = new ArrayList<>();

    VirtualServer(long serviceNanos, long stallFrom, long stallTo) {
      this.serviceNanos = serviceNanos;
      this.stallFrom = stallFrom;
      this.stallTo = stallTo;
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepUntil(long deadline) {
      advance(Math.max(now, deadline));
    }

    void advance(long to) {
      while (!due.isEmpty() && due.peek()[0] <= to) {
        long[] d = due.poll();
        now = d[0];
        pending.get((int) d[1]).complete(null);
      }
      now = to;
    }

    OpenLoop.Issued request(long i) {
      sentAt.add(now);
      CompletableFuture<Void> f = new CompletableFuture<>();
      pending.add(f);
      // a stalled server starts serving only when the stall ends
      long start = now >= stallFrom && now < stallTo ? stallTo : now;
      due.add(new long[] {start + serviceNanos, pending.size() - 1});
      return new OpenLoop.Issued("op", f);
    }
  }

  private static final long MS = 1_000_000L;

  @Test
  void requestsLeaveAtTheirIntendedTimesWhateverTheServerDoes() throws Exception {
    VirtualServer s = new VirtualServer(5 * MS, 1000 * MS, 3000 * MS);
    List<Long> latencies = new ArrayList<>();
    OpenLoop.Outcome out = OpenLoop.run(s, 100, 500, 10_000, s::request,
        (op, intended, latency, error) -> latencies.add(latency));
    s.advance(Long.MAX_VALUE / 2);

    assertThat(out.started()).isEqualTo(500);
    assertThat(out.refused()).isZero();
    for (int i = 0; i < 500; i++) {
      assertThat(s.sentAt.get(i)).isEqualTo(OpenLoop.intendedStart(0, 100, i));
    }
    assertThat(latencies).hasSize(500);
  }

  @Test
  void aStallShowsUpAsManySlowRequestsNotAsFewerRequests() throws Exception {
    // 100/s for 5 s; the server stalls from 1 s to 3 s
    VirtualServer s = new VirtualServer(5 * MS, 1000 * MS, 3000 * MS);
    Latency l = new Latency();
    List<long[]> seen = new ArrayList<>();
    OpenLoop.run(s, 100, 500, 10_000, s::request, (op, intended, latency, error) -> {
      l.record(latency);
      seen.add(new long[] {intended, latency});
    });
    s.advance(Long.MAX_VALUE / 2);

    // the 200 requests due during the stall all waited for its end, measured from their intended start
    long slow = seen.stream().filter(x -> x[1] > 5 * MS).count();
    assertThat(slow).isEqualTo(200);
    for (long[] x : seen) {
      if (x[0] >= 1000 * MS && x[0] < 3000 * MS) {
        assertThat(x[1]).isEqualTo(3000 * MS + 5 * MS - x[0]);
      } else {
        assertThat(x[1]).isEqualTo(5 * MS);
      }
    }
    // so the distribution tells the truth: 40 % of requests took 5 ms to 2 s
    assertThat(l.percentile(50)).isLessThan(10 * MS);
    assertThat(l.percentile(70)).isGreaterThan(500 * MS);
    assertThat(l.percentile(99)).isGreaterThan(1900 * MS);
  }

  @Test
  void aClosedLoopWouldHaveHiddenTheStall() throws Exception {
    // the model of what the open loop avoids: send, wait, send (paced at 100/s) for the same 5 s
    VirtualServer s = new VirtualServer(5 * MS, 1000 * MS, 3000 * MS);
    Latency closed = new Latency();
    long end = 5000 * MS;
    int n = 0;
    while (s.now < end) {
      long t = s.now;
      CompletableFuture<?> f = (CompletableFuture<?>) s.request(n++).done();
      while (!f.isDone()) {
        s.advance(s.due.peek()[0]);
      }
      closed.record(s.now - t);
      s.sleepUntil(Math.max(s.now, t + 10 * MS)); // the next one 10 ms after the last was sent, or at once
    }
    assertThat(closed.count()).isLessThan(400); // far fewer than the 500 intended
    assertThat(closed.percentile(99)).isLessThan(10 * MS); // and its p99 looks healthy: the lie
  }

  @Test
  void tooManyInFlightAreRefusedAndReportedNotSkippedSilently() throws Exception {
    VirtualServer s = new VirtualServer(5 * MS, 0, 10_000 * MS); // stalled throughout
    List<String> ops = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    OpenLoop.Outcome out = OpenLoop.run(s, 100, 100, 10, s::request, (op, intended, latency, error) -> {
      ops.add(op);
      if (error != null) {
        errors.add(error);
      }
    });
    assertThat(out.started()).isEqualTo(10);
    assertThat(out.refused()).isEqualTo(90);
    assertThat(errors).hasSize(90);
    s.advance(Long.MAX_VALUE / 2);
    assertThat(ops).hasSize(100);
  }
}
