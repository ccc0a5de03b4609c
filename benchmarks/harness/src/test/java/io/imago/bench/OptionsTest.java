package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void sizesDurationsAndUnusedOptions() {
    Options o = Options.parse("run", "boot-storm", "--size", "64MiB", "--duration=2m", "--quiet", "--typo", "1");
    assertThat(o.positional()).containsExactly("run", "boot-storm");
    assertThat(o.bytes("size", "1")).isEqualTo(64L << 20);
    assertThat(o.duration("duration", "1s")).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.flag("quiet")).isTrue();
    assertThat(o.unused()).containsExactly("--typo");
    assertThat(Options.parseBytes("100MB")).isEqualTo(100_000_000L);
    assertThat(Options.parseBytes("2GiB")).isEqualTo(2L << 30);
    assertThat(Options.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void metricsParsingPrefersTheResidentSet() {
    assertThat(MemorySampler.parseMetrics("# HELP x\nprocess_resident_memory_bytes 1.5E8\n"
        + "jvm_memory_used_bytes{area=\"heap\"} 10\n")).isEqualTo(150_000_000L);
    assertThat(MemorySampler.parseMetrics("jvm_memory_used_bytes{area=\"heap\",id=\"a\"} 100.0\n"
        + "jvm_memory_used_bytes{area=\"nonheap\",id=\"b\"} 50.0\n")).isEqualTo(150L);
    assertThat(MemorySampler.parseMetrics("other 1\n")).isZero();
  }

  @Test
  void mixPicksInProportion() {
    var mix = Scenarios.mix("list:2,show:1,delete:1");
    int[] n = new int[3];
    for (int i = 0; i < 4000; i++) {
      switch (Scenarios.pick(mix, i)) {
        case "list" -> n[0]++;
        case "show" -> n[1]++;
        default -> n[2]++;
      }
    }
    assertThat(n).containsExactly(2000, 1000, 1000);
  }
}
