package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A/B pairing: ratios per round, medians, NaN for a round one side could not measure. */
class PairingTest {
  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Pairing.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(Pairing.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(Pairing.median(List.of(Double.NaN, 5.0))).isEqualTo(5.0);
    assertThat(Pairing.median(List.of())).isNaN();
  }

  @Test
  void ratiosPairTheRoundsInOrder() {
    List<Double> r = Pairing.ratios(List.of(100.0, 200.0, 50.0), List.of(50.0, 300.0, 50.0));
    assertThat(r).containsExactly(0.5, 1.5, 1.0);
  }

  @Test
  void aNoisyRoundMovesBothSidesAndTheMedianRatioStaysPut() {
    // round 2 ran while another job used the machine: both sides halved
    List<Double> a = List.of(1000.0, 500.0, 1000.0, 1010.0, 990.0);
    List<Double> b = List.of(800.0, 400.0, 800.0, 808.0, 792.0);
    Map<String, Object> s = Pairing.summary("MBps", "MB/s", true, "imago", a, "glance", b);
    assertThat((double) s.get("median_ratio_b_over_a")).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(s.get("median_a")).isEqualTo(1000.0);
    assertThat(s.get("median_b")).isEqualTo(800.0);
    assertThat(s.get("ratio_min_max")).isEqualTo(List.of(0.8, 0.8));
  }

  @Test
  void aFailedRoundIsLeftOutNotCountedAsZero() {
    List<Double> r = Pairing.ratios(List.of(100.0, Double.NaN, 100.0), List.of(90.0, 80.0, 110.0));
    assertThat(r.get(1)).isNaN();
    assertThat(Pairing.median(r)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void unpairedRoundsAreRefused() {
    assertThatThrownBy(() -> Pairing.ratios(List.of(1.0), List.of(1.0, 2.0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
