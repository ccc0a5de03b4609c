package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.ImagoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One tiny run of every scenario and of the side-by-side mode against a real Imago, through the
 * harness's command line, as an operator would run it. Lives outside the harness's own project
 * (it needs Imago's test server); the root build adds it as a test source root.
 */
class HarnessSmokeIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private static final Path OUT = Path.of("target", "bench-smoke");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> run(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(List.of("--quiet", "--out", OUT.toString()));
    Main.Outcome o = Main.execute(all.toArray(new String[0]), System.out, System.err);
    assertThat(o.document()).as("a report was written").isNotNull();
    assertThat(o.html()).exists();
    return o.document();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> only(Map<String, Object> doc) {
    List<Map<String, Object>> results = (List<Map<String, Object>>) doc.get("results");
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  @Test
  void bootStormDownloadsEveryImageColdAndHotWithVerifiedBytes() {
    Map<String, Object> r = only(run("run", "boot-storm", "--endpoint", server.baseUrl(), "--clients", "3",
        "--images", "2", "--size", "300KiB", "--hot", "1", "--verify", "all", "--digest", "sha512"));
    assertThat(r.get("status")).as("%s", r.get("note")).isEqualTo("ok");
    assertThat(r.get("errors")).isEqualTo(0L);
    assertThat(r.get("requests")).isEqualTo(12L); // 3 clients × 2 images × (cold + 1 hot)
    assertThat(r.get("bytes")).isEqualTo(12L * 300 * 1024);
  }

  @Test
  void warmupRunsAreNotCounted() {
    Map<String, Object> r = only(run("run", "metadata-mix", "--endpoint", server.baseUrl(), "--warmup", "1",
        "--rate", "20", "--duration", "1s", "--pool", "4"));
    assertThat(r.get("requests")).isEqualTo(20L); // the measured run only
  }

  @Test
  void uploadByPutLandsActiveWithTheRightDigests() {
    Map<String, Object> r = only(run("run", "upload", "--endpoint", server.baseUrl(), "--uploads", "3",
        "--size", "1500KiB", "--method", "both"));
    assertThat(r.get("status")).as("%s", r.get("note")).isEqualTo("ok");
    assertThat(r.get("errors")).isEqualTo(0L);
    @SuppressWarnings("unchecked")
    Map<String, Object> f = (Map<String, Object>) r.get("figures");
    assertThat(f).containsKey("put_MBps");
    if (Boolean.FALSE.equals(f.get("glance_direct_offered"))) {
      assertThat(f.get("import")).isEqualTo("not offered");
      assertThat(r.get("requests")).isEqualTo(3L);
    } else {
      assertThat(r.get("requests")).isEqualTo(6L);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void metadataMixIssuesEveryScheduledRequest() {
    Map<String, Object> r = only(run("run", "metadata-mix", "--endpoint", server.baseUrl(), "--rate", "100",
        "--duration", "1s", "--pool", "6"));
    assertThat(r.get("status")).as("%s", r.get("note")).isEqualTo("ok");
    assertThat(r.get("errors")).as("%s", r.get("error_samples")).isEqualTo(0L);
    assertThat(r.get("requests")).isEqualTo(100L);
    Map<String, Object> lat = (Map<String, Object>) r.get("latency");
    assertThat(lat).containsKeys("all", "list", "show");
    assertThat(((Map<String, Object>) lat.get("all")).get("count")).isEqualTo(100L);
  }

  @Test
  void cacheAdminRunsOrSaysTheApiIsNotOffered() {
    Map<String, Object> r = only(run("run", "cache-admin", "--endpoint", server.baseUrl(), "--count", "2",
        "--size", "64KiB", "--timeout", "20s"));
    assertThat(r.get("status")).as("%s", r.get("note")).isIn("ok", "not-offered");
    if ("not-offered".equals(r.get("status"))) {
      assertThat((String) r.get("note")).contains("GET /v2/cache → 404");
    } else {
      assertThat(((Map<?, ?>) r.get("figures")).get("cached")).isEqualTo(2L);
    }
  }

  @Test
  void slowClientsReadSlowlyWhileTheServerMemoryIsSampled() {
    Map<String, Object> r = only(run("run", "slow-clients", "--endpoint", server.baseUrl(), "--readers", "5",
        "--size", "4MiB", "--read-rate", "512KiB", "--duration", "1s",
        "--server-pid", Long.toString(ProcessHandle.current().pid())));
    assertThat(r.get("status")).as("%s", r.get("note")).isEqualTo("ok");
    assertThat(r.get("errors")).isEqualTo(0L);
    assertThat((Long) r.get("bytes")).isPositive().isLessThan(5L * 4 * 1024 * 1024); // they hung up early
    @SuppressWarnings("unchecked")
    Map<String, Object> f = (Map<String, Object>) r.get("figures");
    assertThat(((Number) f.get("memory_peak_MB")).doubleValue()).isPositive();
    assertThat(r).containsKey("memory");
  }

  @Test
  @SuppressWarnings("unchecked")
  void compareAlternatesTheEndpointsAndPairsTheRounds() throws Exception {
    Map<String, Object> doc = run("compare", "upload", "--a", server.baseUrl(), "--b", server.baseUrl(),
        "--a-label", "first", "--b-label", "second", "--rounds", "2", "--uploads", "1", "--size", "512KiB",
        "--hash-ceiling", "--name", "compare-smoke");
    List<Map<String, Object>> results = (List<Map<String, Object>>) doc.get("results");
    assertThat(results).extracting(m -> m.get("target"))
        .containsExactly("first", "second", "hash-ceiling", "first", "second", "hash-ceiling");
    Map<String, Object> c = ((List<Map<String, Object>>) doc.get("comparisons")).get(0);
    assertThat((List<Object>) c.get("ratio_b_over_a_rounds")).hasSize(2)
        .allSatisfy(x -> assertThat(((Number) x).doubleValue()).isPositive());
    assertThat((Map<String, Object>) c.get("references")).containsKey("hash ceiling (slower of MD5, SHA-512)");
    assertThat(Files.readString(OUT.resolve("compare-smoke.html"))).contains("Side by side", "<svg");
  }
}
