package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, part 7: a request body whose chunked framing is broken gets Glance's 400 and a closed
 * connection, on the upload route and on a JSON route alike; it is logged once at INFO with the
 * request id (no ERROR, no stack trace), the access log shows the 400 that was really sent, and an
 * upload's image goes back to {@code queued}. Each case is sent over a raw socket.
 */
class MalformedChunkedIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("logging.access_log", "true");

  private static LogCapture logs;

  @BeforeAll
  static void capture() {
    logs = new LogCapture();
  }

  @AfterAll
  static void release() {
    logs.close();
  }

  static Stream<Arguments> framings() {
    String ext = "x".repeat(5_000);
    String trailer = "a".repeat(10_000);
    return Stream.of(
        Arguments.of("bad hex size", "zz\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("negative size", "-5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("size overflow", "FFFFFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("missing CRLF after the data", "5\r\nhelloXXXX3\r\nabc\r\n0\r\n\r\n"),
        Arguments.of("5 KB chunk extension", "5;" + ext + "\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("10 KB trailer", "5\r\nhello\r\n0\r\nX-Trailer: " + trailer + "\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void anUploadWithBrokenFramingIs400AndClosedAndItsImageQueued(String name, String body) throws Exception {
    Http http = server.http();
    String id = Fixtures.createImage(http).getString("id");
    String requestId = "req-chunked-upload-" + name.replace(' ', '-');
    String response = send("PUT /v2/images/" + id + "/file HTTP/1.1", requestId,
        "Content-Type: application/octet-stream", "5\r\nfirst\r\n" + body);
    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response).containsIgnoringCase("Connection: close");
    Await.until("the image is back to queued", () -> "queued".equals(
        http.get("/v2/images/" + id).expect(200).json().getString("status")));
    server.assertNothingStored(http, id);
    assertLoggedOnce(requestId, "PUT");
    // the node is fine: the next upload works
    http.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(1000, 1)).expect(204);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("framings")
  void aJsonBodyWithBrokenFramingIs400AndClosed(String name, String body) throws Exception {
    String requestId = "req-chunked-json-" + name.replace(' ', '-');
    String response = send("POST /v2/images HTTP/1.1", requestId, "Content-Type: application/json",
        "2\r\n{}\r\n" + body);
    assertThat(response).startsWith("HTTP/1.1 400");
    assertLoggedOnce(requestId, "POST");
  }

  /** The guard's one INFO line with the request id, no ERROR anywhere, and the access line's real 400. */
  private static void assertLoggedOnce(String requestId, String method) {
    Await.until("the access line is written", () -> accessLines(requestId).size() == 1);
    List<String> guard = logs.of("ConnectionGuard").stream().map(LogCapture::line)
        .filter(l -> l.contains(requestId)).toList();
    assertThat(guard).hasSize(1);
    assertThat(guard.get(0)).startsWith("INFO").contains("malformed request body");
    assertThat(logs.atLeast(Level.WARN).stream().map(LogCapture::line).filter(l -> !l.contains("noauth")))
        .as("nothing at WARN or ERROR").isEmpty();
    assertThat(logs.events().stream().filter(e -> e.getThrowableProxy() != null).map(LogCapture::line))
        .as("no stack trace").isEmpty();
    String access = accessLines(requestId).get(0);
    assertThat(access).contains("method=" + method).contains("status=400").contains("outcome=sent")
        .contains("error=malformed request body");
  }

  private static List<String> accessLines(String requestId) {
    return logs.of("io.imago.access").stream().map(LogCapture::line).filter(l -> l.contains(requestId)).toList();
  }

  /** Sends a chunked request and reads until the server closes: returns everything it answered. */
  private static String send(String requestLine, String requestId, String contentType, String chunked)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      String head = requestLine + "\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" + contentType
          + "\r\nTransfer-Encoding: chunked\r\nX-Openstack-Request-Id: " + requestId + "\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      try {
        Thread.sleep(100); // the request is under way (routed, an upload started) before its body breaks
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      s.getOutputStream().write(chunked.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      StringBuilder b = new StringBuilder();
      try {
        int c;
        while ((c = in.read()) >= 0) { // to the end: the server must close the connection
          b.append((char) c);
        }
      } catch (java.net.SocketException reset) {
        // a reset after the response also ends it
      }
      return b.toString();
    }
  }
}
