package io.imago.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side-by-side arithmetic. Runs alternate A, B, A, B …; round {@code i} pairs the i-th run of
 * each, and the ratio of a round is B/A of the compared figure. On a shared machine a burst of
 * load hits both runs of a round alike, so the median of the per-round ratios is steadier than
 * the ratio of the medians (both are reported).
 */
public final class Pairing {
  private Pairing() {}

  /** The median (mean of the middle two for an even count); NaN when empty. */
  public static double median(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    int mid = a.length / 2;
    return a.length % 2 == 1 ? a[mid] : (a[mid - 1] + a[mid]) / 2;
  }

  /** Per-round ratios {@code b[i] / a[i]}; NaN for a round where either side has no figure or A is 0. */
  public static List<Double> ratios(List<Double> a, List<Double> b) {
    if (a.size() != b.size()) {
      throw new IllegalArgumentException("unpaired rounds: " + a.size() + " vs " + b.size());
    }
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      double x = a.get(i);
      double y = b.get(i);
      r.add(Double.isNaN(x) || Double.isNaN(y) || x == 0 ? Double.NaN : y / x);
    }
    return r;
  }

  /** The summary of one comparison (labels of A and B, their per-round figures, ratios, medians). */
  public static Map<String, Object> summary(String figure, String unit, boolean higherIsBetter, String labelA,
      List<Double> a, String labelB, List<Double> b) {
    List<Double> r = ratios(a, b);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("figure", figure);
    m.put("unit", unit);
    m.put("higher_is_better", higherIsBetter);
    m.put("a", labelA);
    m.put("b", labelB);
    m.put("a_rounds", a);
    m.put("b_rounds", b);
    m.put("ratio_b_over_a_rounds", r);
    m.put("median_a", median(a));
    m.put("median_b", median(b));
    m.put("median_ratio_b_over_a", median(r));
    m.put("ratio_of_medians", median(a) == 0 ? Double.NaN : median(b) / median(a));
    double[] spread = r.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
    m.put("ratio_min_max", spread.length == 0 ? List.of() : List.of(spread[0], spread[spread.length - 1]));
    return m;
  }

  static List<Double> nan(int n) {
    Double[] d = new Double[n];
    Arrays.fill(d, Double.NaN);
    return new ArrayList<>(Arrays.asList(d));
  }
}
