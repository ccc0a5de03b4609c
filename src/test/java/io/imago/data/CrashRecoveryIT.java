package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.ForkedServer;
import io.imago.testing.Http;
import io.imago.testing.RawHttp;
import io.imago.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: a node killed with SIGKILL in the middle of an upload leaves no half image, and its
 * restart puts the image back to {@code queued} and removes the partial data.
 */
class CrashRecoveryIT {
  @TempDir
  Path dir;

  @Test
  void killDuringUploadLeavesNoHalfImageAndTheRestartRequeuesIt() throws Exception {
    Path data = dir.resolve("data");
    List<String> args = List.of("--data-dir", data.toString(), "--database-url", TestPostgres.get().newDatabase());
    String id;
    try (ForkedServer first = ForkedServer.start(List.of("-Xmx256m"), args, dir.resolve("first.log"))) {
      Http http = first.http();
      id = Fixtures.createImage(http).getString("id");
      byte[] part = Fixtures.bytes(4 << 20, 1);
      RawHttp raw = new RawHttp(first.port());
      raw.head("PUT /v2/images/" + id + "/file HTTP/1.1", "Content-Type: application/octet-stream",
          "Content-Length: " + (64L << 20));
      raw.body(part, 0, part.length);
      Await.until("the upload is saving", () -> "saving".equals(status(http, id)));
      Await.until("bytes reached the store", () -> !partialFiles(data).isEmpty());
      first.kill();
      raw.close();
    }
    assertThat(partialFiles(data)).as("the crash left a partial file behind").isNotEmpty();
    assertThat(data.resolve("images").resolve(id)).doesNotExist();

    try (ForkedServer second = ForkedServer.start(List.of("-Xmx256m"), args, dir.resolve("second.log"))) {
      Http http = second.http();
      JsonObject image = http.get("/v2/images/" + id).expect(200).json();
      assertThat(image.getString("status")).isEqualTo("queued");
      assertThat(image.getValue("size")).isNull();
      assertThat(image.getValue("checksum")).isNull();
      assertThat(partialFiles(data)).isEmpty();
      http.get("/v2/images/" + id + "/file").expect(204);

      byte[] bytes = Fixtures.bytes(100_000, 2);
      http.putBytes("/v2/images/" + id + "/file", bytes).expect(204);
      assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(bytes);
    }
  }

  private static String status(Http http, String id) {
    return http.get("/v2/images/" + id).json().getString("status");
  }

  private static List<Path> partialFiles(Path data) {
    try (Stream<Path> s = Files.list(data.resolve("images").resolve("incomplete"))) {
      return s.toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }
}
