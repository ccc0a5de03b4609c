package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.app.App;
import io.imago.config.ConfigLoader;
import io.imago.config.ImagoConfig;
import io.imago.testing.Await;
import io.imago.testing.Blocking;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.RawHttp;
import io.imago.testing.TestPostgres;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown: a download in flight finishes, an upload in flight is cancelled cleanly (the
 * image goes back to queued, no partial data), and the node then stops.
 */
class GracefulShutdownIT {
  @TempDir
  Path dir;

  @Test
  void downloadsInFlightFinishAndUploadsInFlightAreCancelledCleanly() throws Exception {
    Blocking.install();
    ImagoConfig config = config();
    App app = App.start(config);
    Http http = new Http("http://127.0.0.1:" + app.port());
    byte[] big = Fixtures.bytes(32 << 20, 1);
    String downloadId = Fixtures.activeImage(http, big);
    String uploadId = Fixtures.createImage(http).getString("id");

    // A slow reader: asks for the image and reads only the status line for now.
    Socket reader = new Socket("127.0.0.1", app.port());
    reader.setReceiveBufferSize(64 * 1024);
    reader.getOutputStream().write(("GET /v2/images/" + downloadId + "/file HTTP/1.1\r\nHost: x\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    InputStream in = reader.getInputStream();
    String head = readHead(in);
    assertThat(head).startsWith("HTTP/1.1 200");
    Await.until("the download is in flight", () -> app.lifecycle().inFlightDownloads() == 1);

    // An upload that has sent part of its body.
    RawHttp uploader = new RawHttp(app.port());
    uploader.head("PUT /v2/images/" + uploadId + "/file HTTP/1.1", "Content-Type: application/octet-stream",
        "Content-Length: " + (16 << 20));
    uploader.body(new byte[1 << 20], 0, 1 << 20);
    Await.until("the upload is saving", () -> "saving".equals(http.get("/v2/images/" + uploadId).json()
        .getString("status")));

    CompletableFuture<Void> closing = CompletableFuture.runAsync(app::close);
    assertThat(uploader.readStatus()).as("the cancelled uploader is told to retry").isEqualTo(503);
    uploader.close();

    // The rest of the download still arrives, whole.
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    byte[] buf = new byte[1 << 16];
    long n = 0;
    int r;
    while (n < big.length && (r = in.read(buf)) > 0) {
      md5.update(buf, 0, r);
      n += r;
    }
    reader.close();
    assertThat(n).isEqualTo(big.length);
    assertThat(HexFormat.of().formatHex(md5.digest())).isEqualTo(Fixtures.md5(big));
    closing.get();

    // After the restart: the cancelled upload left a queued image and no bytes.
    try (App again = App.start(config)) {
      Http h = new Http("http://127.0.0.1:" + again.port());
      assertThat(h.get("/v2/images/" + uploadId).json().getString("status")).isEqualTo("queued");
      try (var files = Files.list(dir.resolve("images").resolve("incomplete"))) {
        assertThat(files).isEmpty();
      }
      assertThat(dir.resolve("images").resolve(uploadId)).doesNotExist();
    }
  }

  @Test
  void aDownloadWhoseClientHangsUpStopsCountingSoShutdownDoesNotWaitForIt() throws Exception {
    Blocking.install();
    ImagoConfig config = config();
    try (App app = App.start(config)) {
      Http http = new Http("http://127.0.0.1:" + app.port());
      String id = Fixtures.activeImage(http, Fixtures.bytes(32 << 20, 2));
      for (int i = 0; i < 3; i++) {
        Socket reader = new Socket("127.0.0.1", app.port());
        reader.setReceiveBufferSize(64 * 1024);
        reader.getOutputStream().write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: x\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        InputStream in = reader.getInputStream();
        assertThat(readHead(in)).startsWith("HTTP/1.1 200");
        in.readNBytes(1 << 16);
        Await.until("the download is in flight", () -> app.lifecycle().inFlightDownloads() == 1);
        reader.setSoLinger(true, 0); // hang up hard, mid-body: the server's next write fails
        reader.close();
        Await.until("the hung-up download is over",
            () -> app.lifecycle().inFlightDownloads() == 0
                && app.lifecycle().inFlightRequests() == 0);
      }
      // still serving: one whole download
      assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).hasSize(32 << 20);
    }
  }

  private ImagoConfig config() {
    return ConfigLoader.defaults(Map.of(
        "http.port", "0",
        "data_dir", dir.toString(),
        "database.url", TestPostgres.get().newDatabase(),
        "logging.access_log", "false"));
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    while (!b.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }
}
