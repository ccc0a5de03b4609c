package io.imago.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A latency distribution in nanoseconds from 1 µs to 1 hour at 3 significant digits (HdrHistogram:
 * constant memory, exact enough for any percentile, safe to record from many threads).
 */
public final class Latency {
  /** The percentiles every report shows. */
  static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.9, 99.99, 100};
  private final Histogram h = new ConcurrentHistogram(1_000L, 3_600_000_000_000L, 3);

  public void record(long nanos) {
    h.recordValue(Math.max(1_000L, Math.min(nanos, h.getHighestTrackableValue())));
  }

  public long count() {
    return h.getTotalCount();
  }

  /** The value at or below which {@code p} percent of the recorded values lie, in nanoseconds. */
  public long percentile(double p) {
    return h.getValueAtPercentile(p);
  }

  public long max() {
    return h.getMaxValue();
  }

  /** count, mean and the percentiles, in milliseconds. */
  public Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", count());
    m.put("mean_ms", count() == 0 ? 0.0 : h.getMean() / 1e6);
    Map<String, Object> p = new LinkedHashMap<>();
    for (double q : PERCENTILES) {
      p.put(label(q), count() == 0 ? 0.0 : percentile(q) / 1e6);
    }
    m.put("percentiles_ms", p);
    return m;
  }

  static String label(double q) {
    return q == Math.rint(q) ? "p" + (long) q : "p" + Double.toString(q);
  }
}
