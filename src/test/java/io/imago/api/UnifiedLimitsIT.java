package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.RawHttp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unified limits from the configuration (spec/security.md §5.2, images-api.md §4.1, §4.6, §4.16):
 * every project may have 2 images, 2 MiB of data and 1 upload at a time; project p-big may have 4
 * images. Each test works in projects of its own.
 */
class UnifiedLimitsIT {
  private static final int MIB = 1 << 20;

  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("quotas.limits.enabled", "true")
      .with("quotas.limits.default.image_count_total", "2")
      .with("quotas.limits.default.image_size_total", "2")
      .with("quotas.limits.default.image_count_uploading", "1")
      .with("quotas.limits.projects.p-big.image_count_total", "4");

  private final Http admin = server.http();

  private Http as(String project) {
    return admin.as(project, "member", "reader");
  }

  @AfterEach
  void noPartialFilesLinger() {
    Await.until("no upload is in progress", () -> server.incompleteFiles().isEmpty());
  }

  @Test
  void createUpToTheLimitThenA413WithOsloLimitsTextAndNoImage() {
    Http p = as("p-count");
    Fixtures.createImage(p);
    Fixtures.createImage(p); // exactly at the limit: allowed

    Http.Resp refused = p.post("/v2/images", new JsonObject().put("name", "third").put("disk_format", "raw")
        .put("container_format", "bare").put("id", "3a8c1d6e-0000-4000-8000-000000000003"));
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains("The request returned a 413 Request Entity Too Large."
        + " This generally means that rate limiting or a quota threshold was breached.\n\nThe response body:\n"
        + "Project p-count is over a limit for [Resource image_count_total is over limit of 2 due to current usage 2"
        + " and delta 1]");
    assertThat(names(p)).hasSize(2).doesNotContain("third");
    // the refused create burnt nothing: the id is free once there is room
    String first = p.get("/v2/images").json().getJsonArray("images").getJsonObject(0).getString("id");
    p.delete("/v2/images/" + first).expect(204);
    p.post("/v2/images", new JsonObject().put("name", "third").put("disk_format", "raw")
        .put("container_format", "bare").put("id", "3a8c1d6e-0000-4000-8000-000000000003")).expect(201);
    assertThat(names(p)).hasSize(2).contains("third");
  }

  /** Glance may overshoot here; Imago counts and inserts under a per-project lock. */
  @Test
  void parallelCreatesNeverOvershootTheCount() throws Exception {
    Http p = as("p-race");
    // One request first: Jackson builds its deserializers under a lock on the first JSON body, which
    // BlockHound reports when several event loops do it at once on a fresh server (not a quota matter).
    as("p-race-warm-up").post("/v2/images", new JsonObject()).expect(201);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> p.post("/v2/images", new JsonObject()).status()));
      }
      List<Integer> codes = new ArrayList<>();
      for (Future<Integer> f : results) {
        codes.add(f.get());
      }
      assertThat(codes).containsOnly(201, 413).filteredOn(c -> c == 201).hasSize(2);
    } finally {
      pool.shutdownNow();
    }
    assertThat(names(p)).hasSize(2);
  }

  @Test
  void aProjectOverrideReplacesTheDefaultAndOtherProjectsAreUnaffected() {
    Http big = as("p-big");
    for (int i = 0; i < 4; i++) {
      Fixtures.createImage(big);
    }
    Http.Resp refused = big.post("/v2/images", new JsonObject());
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message"))
        .contains("Project p-big is over a limit for [Resource image_count_total is over limit of 4 due to current"
            + " usage 4 and delta 1]");

    // the default still holds for everyone else, whatever p-big has
    Http other = as("p-bystander");
    Fixtures.createImage(other);
    Fixtures.createImage(other);
    assertGlanceError(other.post("/v2/images", new JsonObject()), 413);
    assertThat(names(big)).hasSize(4);
  }

  @Test
  void uploadExactlyFillingTheSizeLimitPassesAndTheNextByteIs413() {
    Http p = as("p-size");
    String a = Fixtures.createImage(p).getString("id");
    p.putBytes("/v2/images/" + a + "/file", Fixtures.bytes(2 * MIB, 1)).expect(204);

    String b = Fixtures.createImage(p).getString("id");
    Http.Resp refused = p.putBytes("/v2/images/" + b + "/file", new byte[1]);
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains("Project p-size is over a limit for [Resource"
        + " image_size_total is over limit of 2 due to current usage 2 and delta 1]");
    server.assertNothingStored(p, b);
  }

  @Test
  void aDeclaredSizeOverTheLimitIsRefusedBeforeAnyByteIsStored() {
    Http p = as("p-size-declared");
    String id = Fixtures.createImage(p).getString("id");
    Http.Resp refused = p.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(2 * MIB + 1, 2));
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains("[Resource image_size_total is over limit of 2 due to"
        + " current usage 0 and delta 3]");
    server.assertNothingStored(p, id);
  }

  /** Without a declared size the check can only refuse once the project is over, as in Glance. */
  @Test
  void anUploadOfUnknownSizeIsRefusedOnlyOnceTheProjectIsOver() {
    Http p = as("p-chunked");
    String a = Fixtures.createImage(p).getString("id");
    p.putChunked("/v2/images/" + a + "/file", Fixtures.bytes(3 * MIB, 3)).expect(204); // usage 0 + delta 0 ≤ 2: accepted, and now over

    String b = Fixtures.createImage(p).getString("id");
    Http.Resp refused = p.putChunked("/v2/images/" + b + "/file", Fixtures.bytes(10, 4));
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains("[Resource image_size_total is over limit of 2 due to"
        + " current usage 3 and delta 0]");
    server.assertNothingStored(p, b);
  }

  @Test
  void aSecondUploadAtOnceIsRefusedAndGoesBackToQueued() throws IOException {
    Http p = as("p-uploading");
    String first = Fixtures.createImage(p).getString("id");
    String second = Fixtures.createImage(p).getString("id");
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.head("PUT /v2/images/" + first + "/file HTTP/1.1", "Content-Type: application/octet-stream",
          "Transfer-Encoding: chunked", "X-Identity-Status: Confirmed", "X-Project-Id: p-uploading",
          "X-Roles: member,reader");
      raw.chunk(Fixtures.bytes(1000, 5));
      Await.until("the first upload is saving",
          () -> "saving".equals(p.get("/v2/images/" + first).json().getString("status")));

      Http.Resp refused = p.putBytes("/v2/images/" + second + "/file", new byte[10]);
      assertGlanceError(refused, 413);
      assertThat(refused.json().getString("message")).contains("Project p-uploading is over a limit for [Resource"
          + " image_count_uploading is over limit of 1 due to current usage 2 and delta 0]");
      server.assertNothingStored(p, second);

      raw.chunk(new byte[0]);
      assertThat(raw.readStatus()).isEqualTo(204);
    }
    // the refused image can be uploaded now that nothing else is
    p.putBytes("/v2/images/" + second + "/file", new byte[10]).expect(204);
  }

  @Test
  void usageReportsEveryResourceOfTheCallersProjectInMib() {
    Http p = as("p-usage");
    assertThat(usage(p)).isEqualTo(new JsonObject()
        .put("image_size_total", new JsonObject().put("limit", 2).put("usage", 0))
        .put("image_stage_total", new JsonObject().put("limit", -1).put("usage", 0))
        .put("image_count_total", new JsonObject().put("limit", 2).put("usage", 0))
        .put("image_count_uploading", new JsonObject().put("limit", 1).put("usage", 0)));

    String a = Fixtures.createImage(p).getString("id");
    p.putBytes("/v2/images/" + a + "/file", Fixtures.bytes(MIB + MIB / 2, 6)).expect(204);
    Fixtures.createImage(p);
    JsonObject after = usage(p);
    assertThat(after.getJsonObject("image_size_total").getLong("usage")).isEqualTo(1); // 1.5 MiB, rounded down
    assertThat(after.getJsonObject("image_count_total").getLong("usage")).isEqualTo(2);
    assertThat(after.getJsonObject("image_count_uploading").getLong("usage")).isZero();

    p.delete("/v2/images/" + a).expect(204);
    JsonObject deleted = usage(p);
    assertThat(deleted.getJsonObject("image_size_total").getLong("usage")).isZero();
    assertThat(deleted.getJsonObject("image_count_total").getLong("usage")).isEqualTo(1);

    // a per-project limit shows as that project's limit
    assertThat(usage(as("p-big")).getJsonObject("image_count_total").getLong("limit")).isEqualTo(4);
  }

  private static JsonObject usage(Http p) {
    Http.Resp r = p.get("/v2/info/usage").expect(200);
    return r.json().getJsonObject("usage");
  }

  private static List<String> names(Http p) {
    return p.get("/v2/images").json().getJsonArray("images").stream()
        .map(o -> ((JsonObject) o).getString("name")).toList();
  }
}
