package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, part 1: the connection cap and the header and idle timeouts, with a low cap and short
 * timeouts so that a few hundred sockets show what 20,000 would do to the defaults. The flood's
 * sockets are raw; the health checks and API calls meanwhile are a real client's.
 */
class ConnectionLimitsIT {
  private static final int CAP = 60;

  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("http.max_connections", Integer.toString(CAP))
      .with("http.header_timeout", "1s")
      .with("http.idle_timeout", "2s")
      .with("http.body_timeout", "1s");

  private final Http http = server.http();
  private final List<Socket> flood = new ArrayList<>();

  @AfterEach
  void closeFlood() {
    for (Socket s : flood) {
      try {
        s.setSoLinger(true, 0);
        s.close();
      } catch (IOException ignored) {
        // gone already
      }
    }
    Await.until("the flood's connections are gone", () -> server.app().connections().open() < 10);
  }

  private Socket open() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    flood.add(s);
    return s;
  }

  @Test
  void aFloodOfIdleAndSlowlorisSocketsNeitherLocksOutNorOutlivesItsTimeouts() throws Exception {
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Socket s = open();
      if (i % 2 == 0) { // slowloris: a request line and then a header byte now and then
        s.getOutputStream().write("GET /v2/images HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      if (i % 40 == 0) {
        // meanwhile the node answers health checks and API calls on new connections
        assertThat(Http.statusWithin(server.baseUrl() + "/healthcheck", 5_000)).isEqualTo(200);
        http.get("/v2/images").expect(200);
      }
    }
    // closing beyond the cap is asynchronous: on a busy machine a few closes are still under way
    Await.until("at most the cap of connections is open after 400 attempts",
        () -> server.app().connections().open() <= CAP + 5);
    long t0 = System.nanoTime();
    // the slowloris keep trickling; the header timeout closes them anyway, and the idle ones
    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3)) {
      for (Socket s : slow) {
        try {
          s.getOutputStream().write('a');
        } catch (IOException closed) {
          // closed by the server: expected
        }
      }
      Thread.sleep(200);
      assertThat(Http.statusWithin(server.baseUrl() + "/healthcheck", 5_000)).isEqualTo(200);
    }
    for (Socket s : flood) {
      assertThat(closedByServer(s)).as("a flood socket is closed by the server").isTrue();
    }
    assertThat(server.http().get("/metrics").expect(200).body())
        .containsPattern("imago_http_connections_closed_total\\{reason=\"evicted\"[^}]*} [1-9]")
        .containsPattern("imago_http_connections_closed_total\\{reason=\"header_timeout\"[^}]*} [1-9]");
    http.get("/v2/images").expect(200);
  }

  @Test
  void aSlowlorisIsClosedAfterTheHeaderTimeoutThoughItKeepsSending() throws Exception {
    Socket s = open();
    OutputStream out = s.getOutputStream();
    out.write("GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
    long t0 = System.nanoTime();
    boolean closed = false;
    while (!closed && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
      try {
        out.write("X-A: b\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        s.setSoTimeout(200);
        closed = s.getInputStream().read() < 0;
      } catch (SocketTimeoutException stillOpen) {
        // keep trickling
      } catch (IOException reset) {
        closed = true;
      }
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(closed).isTrue();
    assertThat(ms).as("closed after the 1 s header timeout").isBetween(700L, 4_000L);
  }

  @Test
  void anIdleKeepAliveConnectionServesRequestsUntilTheIdleTimeout() throws Exception {
    Socket s = open();
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    byte[] get = "GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 3; i++) { // idle 1.2 s between requests: less than the idle timeout, more than the header one
      out.write(get);
      out.flush();
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
      Thread.sleep(1_200);
    }
    long t0 = System.nanoTime();
    assertThat(in.read()).as("the idle connection is closed").isEqualTo(-1);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000L);
  }

  @Test
  void atTheCapWithEveryConnectionBusyNewOnesGetA503AndLaterOnesAreServed() throws Exception {
    // busy connections: downloads of an image that their clients do not read
    byte[] data = Fixtures.bytes(16 << 20, 7);
    String id = Fixtures.activeImage(http, data);
    List<Socket> busy = new ArrayList<>();
    for (int i = 0; i < CAP; i++) {
      Socket s = open();
      s.setReceiveBufferSize(4096);
      s.getOutputStream().write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      busy.add(s);
    }
    Await.until("every download has started", () -> server.app().lifecycle().inFlightRequests() >= CAP);
    Socket refused = open();
    refused.setSoTimeout(5_000);
    refused.getOutputStream().write("GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    String response = readResponse(refused.getInputStream());
    assertThat(response).startsWith("HTTP/1.1 503").contains("Retry-After: 1");
    for (Socket s : busy) {
      s.setSoLinger(true, 0);
      s.close();
    }
    Await.until("room again", () -> server.app().connections().open() < CAP);
    assertThat(Http.statusWithin(server.baseUrl() + "/healthcheck", 5_000)).isEqualTo(200);
  }

  /** Whether the server closed (or reset) the socket: reads reach the end within a few seconds. */
  private static boolean closedByServer(Socket s) {
    try {
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // a refusal's 503, if any
      }
      return true;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** The head of one response (status line and headers), or what came before the connection closed. */
  static String readResponse(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      b.append((char) c);
      if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    String head = b.toString();
    int at = head.toLowerCase().indexOf("content-length: ");
    if (at >= 0) {
      int n = Integer.parseInt(head.substring(at + 16, head.indexOf('\r', at)).trim());
      in.readNBytes(n);
    }
    return head;
  }
}
