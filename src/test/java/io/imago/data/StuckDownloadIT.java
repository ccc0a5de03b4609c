package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that stops reading a download does not hold its connection (and the image's file) for
 * ever: after {@code http.send_timeout} without progress the connection is closed and the download
 * ends; a client that reads steadily, however slowly compared with the disk, is not cut off.
 */
class StuckDownloadIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("http.send_timeout", "2s");

  private final Http http = server.http();

  @Test
  void aClientThatStopsReadingIsClosedAfterTheSendTimeout() throws Exception {
    String id = Fixtures.activeImage(http, Fixtures.bytes(48 << 20, 1));
    long before = closedBySendTimeout();
    try (Socket s = get(id, true)) {
      InputStream in = s.getInputStream();
      in.readNBytes(64 * 1024); // the head and a little data, then nothing more
      Await.until("the connection is closed for the send timeout", () -> closedBySendTimeout() > before);
      Await.until("the download has ended", () -> metric("imago_downloads_in_progress") == 0);
      s.setSoTimeout(10_000);
      try {
        while (in.read(new byte[1 << 16]) >= 0) {
          // what was already in the socket buffers; then the end
        }
      } catch (IOException reset) {
        // closed with data in flight: a reset
      }
    }
  }

  @Test
  void aSteadyReaderIsNotCutOff() throws Exception {
    String id = Fixtures.activeImage(http, Fixtures.bytes(24 << 20, 2));
    long before = closedBySendTimeout();
    try (Socket s = get(id, false)) {
      InputStream in = s.getInputStream();
      long read = 0;
      byte[] buf = new byte[256 * 1024];
      long t0 = System.nanoTime();
      int n;
      // up to 5 MB/s (at least 1 MiB per send timeout): for several send timeouts, far slower than the server could send
      while ((n = in.read(buf)) >= 0) {
        read += n;
        Thread.sleep(50);
        if (System.nanoTime() - t0 > 30_000_000_000L) {
          break;
        }
      }
      assertThat(read).as("the whole image and its head").isGreaterThan(24L << 20);
    }
    assertThat(closedBySendTimeout()).isEqualTo(before);
  }

  private Socket get(String id, boolean smallWindow) throws IOException {
    Socket s = new Socket();
    if (smallWindow) {
      s.setReceiveBufferSize(16 * 1024);
    }
    s.connect(new InetSocketAddress("127.0.0.1", server.port()));
    s.getOutputStream().write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return s;
  }

  private long closedBySendTimeout() {
    return metric("imago_http_connections_closed_total\\{reason=\"send_timeout\"[^}]*}");
  }

  private long metric(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.E]+)$").matcher(http.get("/metrics").expect(200).body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }
}
