package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Percentiles against a sorted-array model (nearest rank), within HdrHistogram's 3 significant digits
 * (and its 512 ns bottom bucket, given the 1 µs lowest discernible value).
 */
class LatencyTest {
  /** Nearest-rank percentile of a sorted array: the smallest value with at least p% of values at or below it. */
  static long model(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  @Test
  void percentilesMatchTheSortedArrayModel() {
    for (long seed = 1; seed <= 5; seed++) {
      Random r = new Random(seed);
      int n = 1 + r.nextInt(20_000);
      long[] v = new long[n];
      Latency l = new Latency();
      for (int i = 0; i < n; i++) {
        // log-normal-ish: mostly milliseconds, a tail of seconds, like real latencies
        v[i] = (long) (1_000_000 * Math.exp(r.nextGaussian() * 1.5)) + 1_000;
        l.record(v[i]);
      }
      Arrays.sort(v);
      for (double p : new double[] {0.1, 1, 25, 50, 75, 90, 95, 99, 99.9, 100}) {
        long want = model(v, p);
        assertThat((double) l.percentile(p)).as("seed %d n %d p%s", seed, n, p)
            .isCloseTo(want, org.assertj.core.data.Offset.offset(Math.max(want * 0.002, 1024)));
      }
      assertThat(l.count()).isEqualTo(n);
      assertThat((double) l.max()).isCloseTo(v[n - 1], org.assertj.core.data.Offset.offset(v[n - 1] * 0.002));
    }
  }

  @Test
  void summaryIsInMillisecondsWithEveryPercentile() {
    Latency l = new Latency();
    for (int i = 1; i <= 100; i++) {
      l.record(i * 1_000_000L);
    }
    var s = l.summary();
    assertThat(s.get("count")).isEqualTo(100L);
    @SuppressWarnings("unchecked")
    var p = (java.util.Map<String, Object>) s.get("percentiles_ms");
    assertThat(p).containsKeys("p50", "p99", "p99.9", "p100");
    assertThat((double) p.get("p50")).isCloseTo(50.0, org.assertj.core.data.Offset.offset(0.1));
    assertThat((double) p.get("p100")).isCloseTo(100.0, org.assertj.core.data.Offset.offset(0.1));
  }
}
