package io.imago.cache;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11, step 3: the cache API of spec/cache.md §4 (statuses, bodies, headers, Glance's order of
 * checks, admin-only defaults), the prefetcher behind {@code PUT /v2/cache/{id}}, the versions it
 * adds, and the legacy {@code cachemanage} endpoints of §5; and what a node without a cache answers.
 */
class CacheApiIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("cache.image_cache_dir", "cache")
      .with("cache.min_free_disk", "0");

  @RegisterExtension
  static final ImagoServer noCache = new ImagoServer();

  private final Http admin = server.http();
  private final Http member = server.http().as("project-a", "member", "reader");

  @BeforeEach
  void empty() {
    admin.delete("/v2/cache").expect(204);
  }

  private static List<String> versions(Http http) {
    JsonArray vs = http.get("/versions").expect(200).json().getJsonArray("versions");
    return IntStream.range(0, vs.size()).mapToObj(i -> vs.getJsonObject(i).getString("id")).toList();
  }

  @Test
  void theVersionsDocumentAdvertisesTheCacheVersionsOnlyWhenTheCacheIsOn() {
    assertThat(versions(admin)).startsWith("v2.18", "v2.17", "v2.16", "v2.15", "v2.14");
    assertThat(admin.get("/versions").json().getJsonArray("versions").getJsonObject(0).getString("status"))
        .isEqualTo("CURRENT");
    assertThat(versions(noCache.http())).doesNotContain("v2.18", "v2.16", "v2.14");
    admin.get("/v2.16/cache").expect(200);
  }

  @Test
  void everyCallIsAdminOnlyByDefault() {
    String id = Fixtures.activeImage(member, Fixtures.bytes(1000, 1));
    assertGlanceError(member.get("/v2/cache"), 403);
    assertGlanceError(member.put("/v2/cache/" + id, null), 403);
    assertGlanceError(member.delete("/v2/cache/" + id), 403);
    assertGlanceError(member.delete("/v2/cache"), 403);
    assertGlanceError(member.post("/v2/cache/clean", null), 403);
    assertGlanceError(member.post("/v2/cache/prune", null), 403);
    assertGlanceError(member.get("/v2/cached_images"), 403);
    assertGlanceError(member.get("/v2/queued_images"), 403);
    assertGlanceError(member.put("/v2/queued_images/" + id, null), 403);
  }

  @Test
  void withoutACacheTheApiIsNotSupportedAfterThePolicyCheck() {
    Http off = noCache.http();
    Http.Resp r = off.get("/v2/cache");
    assertGlanceError(r, 404);
    assertThat(r.body()).contains("Caching via API is not supported at this site.");
    assertGlanceError(off.as("p", "member").get("/v2/cache"), 403);
    assertGlanceError(off.post("/v2/cache/prune", null), 404);
    String id = Fixtures.activeImage(off, Fixtures.bytes(100, 2));
    assertThat(off.put("/v2/cache/" + id, null).body()).contains("not supported");
    // no cachemanage middleware: the router's 404
    assertGlanceError(off.get("/v2/cached_images"), 404);
  }

  @Test
  void queueingAnActiveImageCachesItAtOnce() {
    byte[] data = Fixtures.bytes(2 << 20, 3);
    String id = Fixtures.activeImage(admin, data);
    Http.Resp queued = admin.put("/v2/cache/" + id, null).expect(202);
    assertThat(queued.bytes()).isEmpty();
    Await.until("the prefetcher cached it", () -> cachedIds().contains(id));
    JsonObject state = admin.get("/v2/cache").expect(200).json();
    assertThat(state.getJsonArray("queued_images")).isEmpty();
    JsonObject entry = state.getJsonArray("cached_images").getJsonObject(0);
    assertThat(entry.fieldNames()).contains("image_id", "hits", "last_accessed", "last_modified", "size");
    assertThat(entry.getLong("size")).isEqualTo(data.length);
    assertThat(entry.getLong("hits")).isZero();
    assertThat(entry.getValue("last_modified")).isInstanceOf(Double.class);
    assertThat(entry.getDouble("last_modified")).isBetween(System.currentTimeMillis() / 1000.0 - 60,
        System.currentTimeMillis() / 1000.0 + 1);
    // queueing it again is a no-op
    admin.put("/v2/cache/" + id, null).expect(202);
    assertThat(admin.get("/v2/cache").json().getJsonArray("queued_images")).isEmpty();
    // and a download is a hit
    admin.get("/v2/images/" + id + "/file").expect(200);
    Await.until("the hit is counted", () -> admin.get("/v2/cache").json().getJsonArray("cached_images")
        .getJsonObject(0).getLong("hits") == 1);
  }

  private List<String> cachedIds() {
    JsonArray a = admin.get("/v2/cache").expect(200).json().getJsonArray("cached_images");
    return IntStream.range(0, a.size()).mapToObj(i -> a.getJsonObject(i).getString("image_id")).toList();
  }

  @Test
  void queueingNeedsAVisibleActiveImage() {
    assertGlanceError(admin.put("/v2/cache/non-existing-image-id", null), 404);
    String queued = Fixtures.createImage(admin).getString("id");
    Http.Resp r = admin.put("/v2/cache/" + queued, null);
    assertGlanceError(r, 400);
    assertThat(r.body()).contains("Only images with status active can be targeted for queueing");
  }

  @Test
  void deletingAnEntryAndClearingByTarget() {
    String a = Fixtures.activeImage(admin, Fixtures.bytes(1 << 20, 4));
    admin.put("/v2/cache/" + a, null).expect(202);
    Await.until("cached", () -> cachedIds().contains(a));
    admin.delete("/v2/cache/" + a).expect(204);
    assertThat(cachedIds()).doesNotContain(a);
    // an existing image that is not cached: 204; an unknown id neither cached nor queued: 404
    admin.delete("/v2/cache/" + a).expect(204);
    assertGlanceError(admin.delete("/v2/cache/00000000-0000-0000-0000-00000000abcd"), 404);

    admin.put("/v2/cache/" + a, null).expect(202);
    Await.until("cached", () -> cachedIds().contains(a));
    admin.put("/v2/queued_images/00000000-0000-0000-0000-00000000beef", null).expect(200);
    assertGlanceError(admin.delete("/v2/cache", "x-image-cache-clear-target", "both"), 400);
    admin.delete("/v2/cache", "x-image-cache-clear-target", "QUEUE").expect(204);
    JsonObject state = admin.get("/v2/cache").json();
    assertThat(state.getJsonArray("queued_images")).isEmpty();
    assertThat(state.getJsonArray("cached_images")).hasSize(1);
    admin.delete("/v2/cache", "x-image-cache-clear-target", "cache").expect(204);
    assertThat(admin.get("/v2/cache").json().getJsonArray("cached_images")).isEmpty();
  }

  @Test
  void aQueuedImageThatCannotBeFetchedShowsItsStateAndError() {
    String missing = "00000000-0000-0000-0000-0000000000aa";
    admin.put("/v2/queued_images/" + missing, null).expect(200);
    Await.until("the prefetcher tried", () -> {
      JsonArray q = admin.get("/v2/cache").json().getJsonArray("x-imago-queue");
      return q.size() == 1 && "retrying".equals(q.getJsonObject(0).getString("state"));
    });
    JsonObject q = admin.get("/v2/cache").json().getJsonArray("x-imago-queue").getJsonObject(0);
    assertThat(q.getString("image_id")).isEqualTo(missing);
    assertThat(q.getString("last_error")).isEqualTo("no such image");
    assertThat(q.getInteger("attempts")).isGreaterThanOrEqualTo(1);
    assertThat(admin.get("/v2/cache").json().getJsonArray("queued_images")).containsExactly(missing);
    // DELETE /v2/cache/{id} removes a queued id whose image does not exist
    admin.delete("/v2/cache/" + missing).expect(204);
    assertThat(admin.get("/v2/cache").json().getJsonArray("queued_images")).isEmpty();
  }

  @Test
  void cleanAndPrune() throws Exception {
    Path invalid = server.dataDir().resolve("cache/invalid/invalid-image-id");
    Files.write(invalid, new byte[] {1, 2, 3});
    Http.Resp clean = admin.post("/v2/cache/clean", null).expect(200);
    assertThat(clean.bytes()).isEmpty();
    assertThat(invalid).doesNotExist();
    JsonObject pruned = admin.post("/v2/cache/prune", null).expect(200).json();
    assertThat(pruned.getInteger("total_files_pruned")).isZero();
    assertThat(pruned.getLong("total_bytes_pruned")).isZero();
  }

  @Test
  void otherMethodsAre405WithGlancesAllow() {
    Http.Resp r = admin.send("PATCH", "/v2/cache", java.net.http.HttpRequest.BodyPublishers.noBody());
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET, DELETE");
    r = admin.post("/v2/cache/00000000-0000-0000-0000-000000000001", null);
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("DELETE, PUT");
    r = admin.get("/v2/cache/clean");
    assertThat(r.header("Allow")).isEqualTo("DELETE, PUT");
    assertThat(admin.get("/v2/cache/prune").status()).isEqualTo(405);
    assertThat(admin.get("/v2/cache/nodes/00000000-0000-0000-0000-000000000001").status()).isEqualTo(409);
    // the legacy paths route nothing else
    assertGlanceError(admin.post("/v2/cached_images", null), 404);
  }

  @Test
  void theLegacyEndpointsOfGlanceCacheManage() {
    String a = Fixtures.activeImage(admin, Fixtures.bytes(1 << 20, 5));
    admin.get("/v2/images/" + a + "/file").expect(200);
    Await.until("cached", () -> cachedIds().contains(a));
    JsonArray cached = admin.get("/v2/cached_images").expect(200).json().getJsonArray("cached_images");
    assertThat(cached.getJsonObject(0).getString("image_id")).isEqualTo(a);

    Http.Resp q = admin.put("/v2/queued_images/abc", null).expect(200);
    assertThat(q.body()).isEqualTo("null");
    assertThat(admin.get("/v2/queued_images").expect(200).json().getJsonArray("queued_images")).contains("abc");
    assertThat(admin.delete("/v2/queued_images/abc").expect(200).body()).isEqualTo("null");
    assertThat(admin.get("/v2/queued_images").json().getJsonArray("queued_images")).doesNotContain("abc");
    admin.put("/v2/queued_images/x1", null).expect(200);
    admin.put("/v2/queued_images/x2", null).expect(200);
    assertThat(admin.delete("/v2/queued_images").expect(200).json().getInteger("num_deleted")).isEqualTo(2);

    assertThat(admin.delete("/v2/cached_images/" + a).expect(200).body()).isEqualTo("null");
    assertThat(cachedIds()).isEmpty();
    admin.get("/v2/images/" + a + "/file").expect(200);
    Await.until("cached", () -> cachedIds().contains(a));
    assertThat(admin.delete("/v2/cached_images").expect(200).json().getInteger("num_deleted")).isEqualTo(1);
  }
}
