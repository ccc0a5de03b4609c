package io.imago.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain HTTP proxy in front of the real Keystone that counts the requests Imago makes (how the
 * tests see the token cache work without looking inside Imago) and can play a Keystone that
 * hangs or is down. Runs on its own threads, never on an event loop.
 */
public final class KeystoneProxy implements AutoCloseable {
  /** How the proxy answers. */
  public enum Mode { FORWARD, HANG, DOWN }

  private static final List<String> REQUEST_HEADERS = List.of("X-Auth-Token", "X-Subject-Token", "Content-Type",
      "Accept", "OpenStack-API-Version");
  private static final List<String> RESPONSE_HEADERS = List.of("X-Subject-Token", "Content-Type", "Vary",
      "x-openstack-request-id");

  private final String target;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "keystone-proxy");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private volatile Mode mode = Mode.FORWARD;
  private volatile CountDownLatch release = new CountDownLatch(1);

  /** Proxies {@code http://127.0.0.1:<port>/v3/…} to {@code keystoneV3}. */
  public KeystoneProxy(String keystoneV3) throws IOException {
    this.target = keystoneV3.endsWith("/v3") ? keystoneV3.substring(0, keystoneV3.length() - 3) : keystoneV3;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void mode(Mode m) {
    if (m == Mode.FORWARD) {
      release.countDown();
      release = new CountDownLatch(1);
    }
    mode = m;
  }

  /** Requests seen for {@code "GET /v3/auth/tokens"} and the like (method, path without query). */
  public int count(String methodAndPath) {
    AtomicInteger c = counts.get(methodAndPath);
    return c == null ? 0 : c.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      switch (mode) {
        case DOWN -> {
          // a dying Keystone: the connection ends without a response
          throw new IOException("proxy down");
        }
        case HANG -> {
          release.await(60, TimeUnit.SECONDS);
          return;
        }
        default -> forward(ex);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void forward(HttpExchange ex) throws IOException, InterruptedException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
        .timeout(Duration.ofSeconds(60))
        .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String h : REQUEST_HEADERS) {
      String v = ex.getRequestHeaders().getFirst(h);
      if (v != null) {
        b.header(h, v);
      }
    }
    HttpResponse<byte[]> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    for (String h : RESPONSE_HEADERS) {
      resp.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().add(h, v));
    }
    byte[] out = resp.body();
    ex.sendResponseHeaders(resp.statusCode(), out.length == 0 ? -1 : out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
