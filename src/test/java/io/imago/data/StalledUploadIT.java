package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, part 1: an upload that declares 10 MiB, sends 1 MiB and stalls no longer keeps its
 * image in {@code saving}: after {@code http.body_timeout} its connection is closed, the upload
 * takes the client hang-up path (image back to {@code queued}, partial data deleted) and the next
 * upload of the image works.
 */
class StalledUploadIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("http.body_timeout", "1s");

  private final Http http = server.http();

  @Test
  void aStalledUploadIsCutOffAndItsImageQueued() throws Exception {
    String id = Fixtures.createImage(http).getString("id");
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(15_000);
      s.getOutputStream().write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + (10 << 20) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(Fixtures.bytes(1 << 20, 3));
      s.getOutputStream().flush();
      Await.until("the upload is saving", () -> "saving".equals(
          http.get("/v2/images/" + id).expect(200).json().getString("status")));
      long t0 = System.nanoTime();
      InputStream in = s.getInputStream();
      try {
        while (in.read() >= 0) {
          // whatever the server says before it closes
        }
      } catch (SocketException reset) {
        // closed with unread data: a reset
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(ms).as("closed after the 1 s body timeout").isLessThan(8_000L);
    }
    Await.until("the image is queued again", () -> "queued".equals(
        http.get("/v2/images/" + id).expect(200).json().getString("status")));
    server.assertNothingStored(http, id);
    assertThat(http.get("/metrics").expect(200).body())
        .containsPattern("imago_http_connections_closed_total\\{reason=\"body_timeout\"[^}]*} [1-9]");
    byte[] data = Fixtures.bytes(3 << 20, 4);
    http.putBytes("/v2/images/" + id + "/file", data).expect(204);
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("checksum")).isEqualTo(Fixtures.md5(data));
  }

  @Test
  void aSlowButSteadyUploadIsNotCutOff() throws IOException, InterruptedException {
    String id = Fixtures.createImage(http).getString("id");
    byte[] data = Fixtures.bytes(64 * 1024, 5);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(15_000);
      s.getOutputStream().write(("PUT /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + data.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      for (int off = 0; off < data.length; off += 8 * 1024) { // 8 KiB every 0.4 s: 3.2 s in all
        s.getOutputStream().write(data, off, 8 * 1024);
        s.getOutputStream().flush();
        Thread.sleep(400);
      }
      byte[] status = s.getInputStream().readNBytes(12);
      assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 204");
    }
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("active");
  }
}
