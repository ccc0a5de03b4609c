package io.imago.api;

import io.imago.config.ConfigLoader;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.policy.PropertyProtections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendering a page of {@code GET /v2/images} to JSON text: {@link ImageView#render} per image (25
 * is Glance's {@code limit_param_default}, 1000 its {@code api_limit_max}), then encoding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ImageListRenderBench {
  @Param({"25", "1000"})
  public int images;

  private ImageView view;
  private List<Image> page;
  private final Caller caller = new Caller("u", "p", Set.of("member", "reader"), false, false, "req-1");

  @Setup
  public void setup() {
    // no location is shown (mayReadLocations false), so the view needs no stores
    view = new ImageView(ConfigLoader.defaults(Map.of()).images(), null, PropertyProtections.NONE);
    page = new ArrayList<>();
    Instant now = Instant.parse("2026-11-22T08:00:00Z");
    for (int i = 0; i < images; i++) {
      Image.Builder b = Image.queued(UUID.randomUUID().toString(), "p", now).toBuilder();
      b.name = "ubuntu-24.04-server-cloudimg-amd64-" + i;
      b.status = ImageStatus.ACTIVE;
      b.containerFormat = "bare";
      b.diskFormat = "qcow2";
      b.size = 612_000_000L + i;
      b.virtualSize = 3_758_096_384L;
      b.checksum = "0123456789abcdef0123456789abcdef";
      b.osHashAlgo = "sha512";
      b.osHashValue = "ab".repeat(64);
      b.tags.add("lts");
      b.tags.add("bench");
      b.properties.put("os_distro", "ubuntu");
      b.properties.put("os_version", "24.04");
      b.properties.put("hw_disk_bus", "virtio");
      b.properties.put("hw_vif_model", "virtio");
      page.add(b.build());
    }
  }

  @Benchmark
  public String renderPage() {
    JsonArray a = new JsonArray();
    for (Image i : page) {
      a.add(view.render(i, caller, false));
    }
    return new JsonObject().put("images", a).put("schema", "/v2/schemas/images")
        .put("first", "/v2/images").encode();
  }
}
