package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Upload and download over HTTP against the real server (spec/images-api.md §4.6, §4.7). */
class ImageDataIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http http = server.http();

  @Test
  void uploadThenDownloadGivesTheSameBytesAndGlanceDigests() {
    byte[] data = Fixtures.bytes(3 * 1024 * 1024 + 17, 1);
    String id = Fixtures.activeImage(http, data);

    JsonObject image = http.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("active");
    assertThat(image.getLong("size")).isEqualTo(data.length);
    assertThat(image.getString("checksum")).isEqualTo(Fixtures.md5(data));
    assertThat(image.getString("os_hash_algo")).isEqualTo("sha512");
    assertThat(image.getString("os_hash_value")).isEqualTo(Fixtures.sha512(data));

    Http.Resp download = http.get("/v2/images/" + id + "/file").expect(200);
    assertThat(download.bytes()).isEqualTo(data);
    assertThat(download.header("Content-MD5")).isEqualTo(Fixtures.md5(data));
    assertThat(download.header("Content-Length")).isEqualTo(Integer.toString(data.length));
  }

  @Test
  void uploadToAnActiveImageIsAConflict() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(100, 2));
    assertGlanceError(http.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(10, 3)), 409);
    assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(Fixtures.bytes(100, 2));
  }
}
