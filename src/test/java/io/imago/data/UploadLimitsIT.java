package io.imago.data;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code image_size_cap} (spec/images-api.md §4.6, §6): 413, nothing stored, the image still queued. */
class UploadLimitsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("images.image_size_cap", "1000");

  private final Http http = server.http();

  @Test
  void declaredSizeOverTheCapIsRefusedBeforeAnyByteIsRead() {
    String id = Fixtures.createImage(http).getString("id");
    assertGlanceError(http.putBytes("/v2/images/" + id + "/file", new byte[1001]), 413);
    assertThat(http.get("/v2/images/" + id).json().getString("status")).isEqualTo("queued");
  }

  @Test
  void chunkedUploadThatGrowsPastTheCapIsCutOff() throws IOException {
    String id = Fixtures.createImage(http).getString("id");
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.head("PUT /v2/images/" + id + "/file HTTP/1.1", "Content-Type: application/octet-stream",
          "Transfer-Encoding: chunked");
      raw.chunk(new byte[800]);
      raw.chunk(new byte[800]);
      assertThat(raw.readStatus()).isEqualTo(413);
    }
    assertThat(http.get("/v2/images/" + id).json().getString("status")).isEqualTo("queued");
    assertThat(server.dataDir().resolve("images").resolve(id)).doesNotExist();
    http.get("/v2/images/" + id + "/file").expect(204);
  }

  @Test
  void anUploadOfExactlyTheCapIsAccepted() throws IOException {
    byte[] data = Fixtures.bytes(1000, 3);
    String id = Fixtures.activeImage(http, data);
    assertThat(Files.size(server.dataDir().resolve("images").resolve(id))).isEqualTo(1000);
  }

  @Test
  void declaredImageSizeHeaderOverTheCapIs413() {
    String id = Fixtures.createImage(http).getString("id");
    assertGlanceError(http.putBytes("/v2/images/" + id + "/file", new byte[10], "x-openstack-image-size", "5000"),
        413);
  }
}
