package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * boot-storm's time-to-first-byte figures (p50/p99 per phase), {@code compare} of a download
 * scenario against nginx alone (no {@code --b}), and the {@code --warmup} count.
 */
class FirstByteTest {
  @Test
  void coldAndHotFirstBytePercentilesComeFromTheirHistograms() {
    Latency cold = new Latency();
    Latency hot = new Latency();
    for (int i = 1; i <= 100; i++) {
      cold.record(i * 1_000_000L); // 1 … 100 ms
      hot.record(i * 100_000L); // 0.1 … 10 ms
    }
    Map<String, Object> f = Scenarios.firstByteFigures(Map.of("download-cold-first-byte", cold,
        "download-hot-first-byte", hot, "download-cold", new Latency()));
    assertThat(f).containsOnlyKeys("cold_first_byte_p50_ms", "cold_first_byte_p99_ms", "hot_first_byte_p50_ms",
        "hot_first_byte_p99_ms");
    assertThat((double) f.get("cold_first_byte_p50_ms")).isCloseTo(50, offset(0.1));
    assertThat((double) f.get("cold_first_byte_p99_ms")).isCloseTo(99, offset(0.1));
    assertThat((double) f.get("hot_first_byte_p50_ms")).isCloseTo(5, offset(0.01));
    assertThat((double) f.get("hot_first_byte_p99_ms")).isCloseTo(9.9, offset(0.01));
  }

  @Test
  void aPhaseWithoutDownloadsHasNoFigure() {
    Latency cold = new Latency();
    cold.record(3_000_000L);
    assertThat(Scenarios.firstByteFigures(Map.of("download-cold-first-byte", cold, "download-hot-first-byte",
        new Latency()))).containsOnlyKeys("cold_first_byte_p50_ms", "cold_first_byte_p99_ms");
    assertThat(Scenarios.firstByteFigures(Map.of())).isEmpty();
  }

  @Test
  void compareWithoutBNeedsNginxAndADownloadScenario() {
    for (String[] args : new String[][] {
        {"compare", "boot-storm", "--a", "http://127.0.0.1:9"},
        {"compare", "upload", "--a", "http://127.0.0.1:9", "--with-nginx"}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Main.Outcome o = Main.execute(args, new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(o.exitCode()).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("--b is required");
    }
  }

  @Test
  void warmupCountsAreZeroByDefaultAndNeverNegative() {
    assertThat(Main.warmup(Options.parse())).isZero();
    assertThat(Main.warmup(Options.parse("--warmup", "2"))).isEqualTo(2);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Main.Outcome o = Main.execute(new String[] {"run", "metadata-mix", "--endpoint", "http://127.0.0.1:9", "--warmup",
        "-1"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--warmup must be >= 0");
  }
}
