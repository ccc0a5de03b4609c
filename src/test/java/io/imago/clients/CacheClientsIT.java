package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's clients, unchanged, against Imago with its cache on: Debian's {@code glance}
 * (cache-list, cache-queue, cache-delete, cache-clear of python-glanceclient 4.1) and
 * {@code glance-cache-manage} (Glance 25.1's legacy client of the cachemanage endpoints: every
 * verb). Each outcome is checked in the client's output and over HTTP. Skipped when a client is
 * not installed ({@code .ci/run} installs both).
 */
class CacheClientsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("cache.image_cache_dir", "cache")
      .with("cache.min_free_disk", "0");

  @TempDir
  static Path tmp;

  private final Http http = server.http();

  private JsonObject state() {
    return http.get("/v2/cache").expect(200).json();
  }

  private static List<String> ids(JsonArray cached) {
    return cached.stream().map(o -> ((JsonObject) o).getString("image_id")).toList();
  }

  @Test
  void glanceCacheCommands() {
    assumeTrue(Cli.installed("glance"), "the glance CLI is not installed (apt-get install python3-glanceclient)");
    Cli glance = new Cli(tmp, List.of("glance", "--os-image-url", server.baseUrl(), "--os-auth-token", "any-token"),
        Map.of());
    http.delete("/v2/cache").expect(204);
    String a = Fixtures.activeImage(http, Fixtures.bytes(1 << 20, 71));
    String b = Fixtures.activeImage(http, Fixtures.bytes(1 << 20, 72));

    glance.run("cache-queue", a, b).ok();
    Await.until("both are cached", () -> ids(state().getJsonArray("cached_images")).containsAll(List.of(a, b)));
    Cli.Result list = glance.run("cache-list").ok();
    assertThat(list.out()).contains(a).contains(b);

    glance.run("cache-delete", a).ok();
    assertThat(ids(state().getJsonArray("cached_images"))).containsExactly(b);

    glance.run("cache-clear", "--target", "cache").ok();
    assertThat(state().getJsonArray("cached_images")).isEmpty();
    http.put("/v2/queued_images/" + a, null).expect(200);
    glance.run("cache-clear").ok(); // --target both: no header
    assertThat(state().getJsonArray("queued_images")).isEmpty();
  }

  @Test
  void glanceCacheManageVerbs() {
    assumeTrue(Cli.installed("glance-cache-manage"),
        "glance-cache-manage is not installed (apt-get install glance-api)");
    Cli manage = new Cli(tmp, List.of("glance-cache-manage", "-H", "127.0.0.1", "-p", Integer.toString(server.port()),
        "--os-auth-token", "any-token", "-f"), Map.of());
    http.delete("/v2/cache").expect(204);
    String a = Fixtures.activeImage(http, Fixtures.bytes(1 << 20, 73));
    // a well-formed id of no image: the legacy API queues any id, and it stays queued
    String ghost = "00000000-0000-0000-0000-00000000f00d";

    http.get("/v2/images/" + a + "/file").expect(200);
    Await.until("cached", () -> ids(state().getJsonArray("cached_images")).contains(a));
    Cli.Result cached = manage.run("list-cached").ok();
    assertThat(cached.out()).contains(a).contains("1048576");

    manage.run("queue-image", ghost).ok();
    assertThat(state().getJsonArray("queued_images")).contains(ghost);
    assertThat(manage.run("list-queued").ok().out()).contains(ghost);
    manage.run("delete-queued-image", ghost).ok();
    assertThat(state().getJsonArray("queued_images")).doesNotContain(ghost);
    manage.run("queue-image", ghost).ok();
    manage.run("delete-all-queued-images").ok();
    assertThat(state().getJsonArray("queued_images")).isEmpty();

    manage.run("delete-cached-image", a).ok();
    assertThat(state().getJsonArray("cached_images")).isEmpty();
    http.get("/v2/images/" + a + "/file").expect(200);
    Await.until("cached", () -> ids(state().getJsonArray("cached_images")).contains(a));
    manage.run("delete-all-cached-images").ok();
    assertThat(state().getJsonArray("cached_images")).isEmpty();
  }
}
