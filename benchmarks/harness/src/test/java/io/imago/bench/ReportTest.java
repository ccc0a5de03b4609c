package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON result reads back with what was measured; the HTML stands alone (no scripts, no network). */
class ReportTest {
  private static Result sample(String target, double value) {
    Result r = new Result("boot-storm", target, "http://127.0.0.1:1");
    try (Meter m = new Meter("t", null)) {
      m.bytes(10_000_000);
      m.request("download-cold", 12_000_000);
      m.request("download-cold", 30_000_000);
      m.error("download-cold", new IllegalStateException("boom <b>"));
      r.from(m);
    }
    r.params.put("clients", 2);
    r.figures.put("cold_MBps", value);
    r.primary = new Result.Primary("cold_MBps", value, "MB/s", true);
    return r;
  }

  @Test
  @SuppressWarnings("unchecked")
  void jsonReadsBackWithTheFigures(@TempDir Path dir) throws Exception {
    Map<String, Object> cmp = Pairing.summary("cold_MBps", "MB/s", true, "imago", List.of(100.0, 110.0), "glance",
        List.of(50.0, 44.0));
    cmp.put("scenario", "boot-storm");
    cmp.put("references", Map.of("nginx sendfile", List.of(120.0, 130.0)));
    Map<String, Object> doc = Report.document("imago-bench compare boot-storm", List.of(sample("imago", 100),
        sample("glance", 50)), List.of(cmp));
    Report.write(dir, "r", doc);

    Map<String, Object> back = Json.object(Files.readString(dir.resolve("r.json")));
    List<Map<String, Object>> results = (List<Map<String, Object>>) back.get("results");
    assertThat(results).hasSize(2);
    Map<String, Object> first = results.get(0);
    assertThat(first.get("scenario")).isEqualTo("boot-storm");
    assertThat(first.get("requests")).isEqualTo(2L);
    assertThat(first.get("errors")).isEqualTo(1L);
    assertThat(first.get("bytes")).isEqualTo(10_000_000L);
    assertThat(((Map<String, Object>) first.get("primary")).get("value")).isEqualTo(100L);
    Map<String, Object> lat = (Map<String, Object>) ((Map<String, Object>) first.get("latency")).get("download-cold");
    assertThat(lat.get("count")).isEqualTo(2L);
    Map<String, Object> c = ((List<Map<String, Object>>) back.get("comparisons")).get(0);
    assertThat(((Number) c.get("median_ratio_b_over_a")).doubleValue()).isCloseTo(0.45,
        org.assertj.core.data.Offset.offset(1e-6));
    assertThat(((Map<String, Object>) back.get("machine")).get("cores")).isInstanceOf(Long.class);
  }

  @Test
  void htmlIsSelfContainedWithChartsAndEscapesText(@TempDir Path dir) throws Exception {
    Map<String, Object> cmp = Pairing.summary("cold_MBps", "MB/s", true, "imago", List.of(100.0), "glance",
        List.of(50.0));
    cmp.put("scenario", "boot-storm");
    cmp.put("references", Map.of());
    Result r = sample("imago", 100);
    r.series.add(new long[] {2, 5, 5, 0});
    Path html = Report.write(dir, "r", Report.document("cmd", List.of(r, sample("glance", 50)), List.of(cmp)));
    String s = Files.readString(html);
    assertThat(s).startsWith("<!DOCTYPE html>").contains("<svg", "polyline", "<rect", "Side by side",
        "latency percentiles", "throughput over time", "Per-scenario comparison");
    assertThat(s).doesNotContain("<script", "src=\"http", "href=\"http");
    assertThat(s).contains("boom &lt;b&gt;").doesNotContain("boom <b>");
  }

  @Test
  void theHtmlCanBeRenderedAgainFromTheSavedJson(@TempDir Path dir) throws Exception {
    Map<String, Object> doc = Report.document("cmd", List.of(sample("imago", 100)), List.of());
    Report.write(dir, "r", doc);
    String first = Files.readString(dir.resolve("r.html"));
    Files.delete(dir.resolve("r.html"));
    Main.Outcome o = Main.execute(new String[] {"report", dir.resolve("r.json").toString()}, System.out, System.err);
    assertThat(o.exitCode()).isZero();
    assertThat(Files.readString(dir.resolve("r.html"))).isEqualTo(first);
  }

  @Test
  void jsonWriterAndReaderRoundTrip() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("s", "a \"q\" \\ \n ü");
    m.put("n", 12L);
    m.put("d", 1.5);
    m.put("l", List.of(1L, 2L, List.of()));
    m.put("o", Map.of());
    m.put("z", null);
    m.put("b", true);
    assertThat(Json.parse(Json.write(m))).isEqualTo(m);
  }
}
