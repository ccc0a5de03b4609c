package io.imago.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.ForkedServer;
import io.imago.testing.Http;
import io.imago.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a crash in the middle of a fill leaves nothing that is ever served. The node (the
 * fat jar, forked) halts at the worst instant of a fill — every byte written into
 * {@code incomplete/}, not yet verified nor published — and after the restart the image is not
 * cached, the partial file is gone and a download is whole (and fills the cache again). An
 * injected failure at the same instant fails the client with a short body, never a whole one.
 */
class CacheCrashIT {
  @TempDir
  Path dir;

  private static final Map<String, String> ENV = Map.of("IMAGO_CACHE_IMAGE_CACHE_DIR", "cache",
      "IMAGO_CACHE_MIN_FREE_DISK", "0");

  @Test
  void aCrashInTheMiddleOfAFillLeavesNothingThatIsServed() throws Exception {
    Path data = dir.resolve("data");
    List<String> args = List.of("--data-dir", data.toString(), "--database-url", TestPostgres.get().newDatabase());
    byte[] bytes = Fixtures.bytes(8 << 20, 1);
    String id;
    try (ForkedServer first = ForkedServer.start(List.of("-Xmx256m", "-Dimago.fault.halt_at=cache.fill.written"), args,
        ENV, dir.resolve("first.log"))) {
      Http http = first.http();
      id = Fixtures.activeImage(http, bytes);
      try {
        http.get("/v2/images/" + id + "/file");
      } catch (RuntimeException connectionLost) {
        // the node halted before the last byte
      }
      Await.until("the node halted", () -> !first.alive());
    }
    Path cache = data.resolve("cache");
    assertThat(cache.resolve("incomplete").resolve(id)).as("the crash left the whole, unverified fill").exists();
    assertThat(Files.size(cache.resolve("incomplete").resolve(id))).isEqualTo(bytes.length);
    assertThat(cache.resolve(id)).doesNotExist();

    try (ForkedServer second = ForkedServer.start(List.of("-Xmx256m"), args, ENV, dir.resolve("second.log"))) {
      Http http = second.http();
      assertThat(http.get("/v2/cache").expect(200).json().getJsonArray("cached_images")).isEmpty();
      assertThat(cache.resolve("incomplete").resolve(id)).doesNotExist();
      assertThat(Fixtures.md5(http.get("/v2/images/" + id + "/file").expect(200).bytes())).isEqualTo(Fixtures.md5(bytes));
      Await.until("cached again", () -> http.get("/v2/cache").json().getJsonArray("cached_images").size() == 1);
      JsonObject entry = http.get("/v2/cache").json().getJsonArray("cached_images").getJsonObject(0);
      assertThat(entry.getString("image_id")).isEqualTo(id);
      assertThat(Fixtures.md5(Files.readAllBytes(cache.resolve(id)))).isEqualTo(Fixtures.md5(bytes));
    }
  }

  @Test
  void aFillThatFailsAtTheEndNeverGivesTheClientTheWholeImage() throws Exception {
    Path data = dir.resolve("data");
    List<String> args = List.of("--data-dir", data.toString(), "--database-url", TestPostgres.get().newDatabase());
    byte[] bytes = Fixtures.bytes(4 << 20, 2);
    try (ForkedServer server = ForkedServer.start(List.of("-Xmx256m", "-Dimago.fault.fail_at=cache.fill.written"),
        args, ENV, dir.resolve("server.log"))) {
      Http http = server.http();
      String id = Fixtures.activeImage(http, bytes);
      boolean whole;
      try {
        whole = http.get("/v2/images/" + id + "/file").bytes().length == bytes.length;
      } catch (RuntimeException connectionReset) {
        whole = false;
      }
      assertThat(whole).as("the client got the whole image from a failed fill").isFalse();
      assertThat(http.get("/v2/cache").expect(200).json().getJsonArray("cached_images")).isEmpty();
      // a Range request does not touch the cache and still works
      assertThat(http.get("/v2/images/" + id + "/file", "Range", "bytes=0-9").expect(206).bytes()).hasSize(10);
      assertThat(server.alive()).isTrue();
    }
  }
}
