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
import java.util.Map;
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

  /**
   * The node dies at the worst instant of an upload: its blob is published in the store, the
   * image does not reference it yet. After the restart the image is queued again and the orphaned
   * blob is deleted (the publication was journalled); a new upload of the image works and stays.
   */
  @Test
  void aCrashBetweenPublishingAndActivatingLeavesNoOrphanBlob() throws Exception {
    Path data = dir.resolve("data");
    List<String> args = List.of("--data-dir", data.toString(), "--database-url", TestPostgres.get().newDatabase());
    Map<String, String> env = Map.of("IMAGO_WORKERS_ORPHAN_GRACE", "2s");
    String id;
    try (ForkedServer first = ForkedServer.start(List.of("-Xmx256m", "-Dimago.fault.halt_at=upload.published"), args,
        env, dir.resolve("first.log"))) {
      Http http = first.http();
      id = Fixtures.createImage(http).getString("id");
      try {
        http.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(1 << 20, 3));
      } catch (RuntimeException connectionLost) {
        // the node halted before answering
      }
      Await.until("the node halted", () -> !first.alive());
    }
    Path blob = data.resolve("images").resolve(id);
    assertThat(blob).as("the crash left the published blob").exists();

    try (ForkedServer second = ForkedServer.start(List.of("-Xmx256m"), args, env, dir.resolve("second.log"))) {
      Http http = second.http();
      assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("queued");
      Thread.sleep(2_500); // the journal entry's grace period
      // any delete kicks the sweeper
      http.delete("/v2/images/" + Fixtures.createImage(http).getString("id")).expect(204);
      Await.until("the orphaned blob is deleted", () -> !Files.exists(blob));

      byte[] bytes = Fixtures.bytes(100_000, 4);
      http.putBytes("/v2/images/" + id + "/file", bytes).expect(204);
      http.delete("/v2/images/" + Fixtures.createImage(http).getString("id")).expect(204);
      assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(bytes);
      assertThat(blob).exists();
    }
  }

  /**
   * The activation itself fails after the blob was published (here an injected failure; in life the
   * database): the upload answers 503, the image is queued again and the published blob is gone.
   */
  @Test
  void aFailedActivationRemovesThePublishedBlob() throws Exception {
    Path data = dir.resolve("data");
    List<String> args = List.of("--data-dir", data.toString(), "--database-url", TestPostgres.get().newDatabase());
    try (ForkedServer server = ForkedServer.start(List.of("-Xmx256m", "-Dimago.fault.fail_at=upload.published"), args,
        dir.resolve("server.log"))) {
      Http http = server.http();
      String id = Fixtures.createImage(http).getString("id");
      Http.Resp r = http.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(1 << 20, 5));
      Http.assertGlanceError(r, 503);
      assertThat(r.body()).doesNotContain(data.toString());
      assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("queued");
      assertThat(data.resolve("images").resolve(id)).doesNotExist();
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
