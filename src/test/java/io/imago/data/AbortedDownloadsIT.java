package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, part 5: no descriptor outlives its download, however the client leaves. The server
 * runs in this JVM, so {@code /proc/self/fd} shows its descriptors: after hundreds of downloads
 * abandoned before the first byte, after a few bytes and mid-body, none may still point at the
 * image's file — well before any garbage collection would close them.
 */
class AbortedDownloadsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http http = server.http();

  @Test
  void abortedDownloadsLeaveNoOpenFile() throws Exception {
    byte[] data = Fixtures.bytes(4 << 20, 11);
    String id = Fixtures.activeImage(http, data);
    Path file = server.storeDir().resolve(id).toRealPath();
    byte[] get = ("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    for (int round = 0; round < 3; round++) {
      List<Socket> sockets = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setReceiveBufferSize(4096);
        s.getOutputStream().write(get);
        s.getOutputStream().flush();
        sockets.add(s);
        if (i % 3 == 0) {
          abort(s); // at once: before the first byte, usually while the file is being opened
        }
      }
      for (int i = 0; i < sockets.size(); i++) {
        Socket s = sockets.get(i);
        if (i % 3 == 1) {
          s.setSoTimeout(10_000);
          s.getInputStream().readNBytes(100); // after the first bytes
        }
        abort(s);
      }
    }
    // within seconds, not whenever a garbage collection finalises the files (over a minute, in the issue)
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (openDescriptorsOf(file) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(openDescriptorsOf(file)).as("descriptors still open on the image's file 5 s after the aborts").isZero();
    assertThat(server.app().lifecycle().inFlightRequests()).isZero();
    // and the image is still served whole
    assertThat(Fixtures.md5(http.get("/v2/images/" + id + "/file").expect(200).bytes())).isEqualTo(Fixtures.md5(data));
  }

  private static void abort(Socket s) throws IOException {
    if (!s.isClosed()) {
      s.setSoLinger(true, 0);
      s.close();
    }
  }

  /** How many of this process's descriptors are open on {@code file}. */
  static long openDescriptorsOf(Path file) {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(file);
        } catch (IOException gone) {
          return false;
        }
      }).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
