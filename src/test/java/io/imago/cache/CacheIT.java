package io.imago.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11, step 1: the node cache in front of the file store, on a real node. Full downloads
 * fill it while they stream (the store read once), later ones are hits sent from the cached file,
 * Range requests pass it by, a fill is published only when its bytes match the image, deleted images
 * leave at once, deactivated ones are never served from it, and a restart finds what was cached.
 */
class CacheIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("cache.image_cache_dir", "cache")
      .with("cache.min_free_disk", "0");

  private final Http http = server.http();

  static Path cacheDir() {
    return server.dataDir().resolve("cache");
  }

  /** A counter or gauge of /metrics, summed over the series whose labels contain {@code labels}. */
  static double metric(Http http, String name, String labels) {
    String text = http.get("/metrics").expect(200).body();
    double sum = 0;
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
    while (m.find()) {
      if (labels == null || (m.group(1) != null && m.group(1).contains(labels))) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  static double storeReadBytes(Http http) {
    return metric(http, "imago_store_read_bytes_total", "store=\"file\"");
  }

  @Test
  void aFullDownloadFillsTheCacheAndLaterOnesAreHits() {
    byte[] data = Fixtures.bytes(3 << 20, 1);
    String id = Fixtures.activeImage(http, data);
    double read0 = storeReadBytes(http);
    double hits0 = metric(http, "imago_cache_requests_total", "result=\"hit\"");

    Http.Resp first = http.get("/v2/images/" + id + "/file").expect(200);
    assertThat(Fixtures.md5(first.bytes())).isEqualTo(Fixtures.md5(data));
    assertThat(first.header("Content-MD5")).isEqualTo(Fixtures.md5(data));
    Await.until("the fill is published", () -> Files.exists(cacheDir().resolve(id)));
    assertThat(storeReadBytes(http) - read0).as("the store is read once, whole").isEqualTo(data.length);

    for (int i = 0; i < 3; i++) {
      Http.Resp hit = http.get("/v2/images/" + id + "/file").expect(200);
      assertThat(Fixtures.md5(hit.bytes())).isEqualTo(Fixtures.md5(data));
      assertThat(hit.header("Content-Length")).isEqualTo(Integer.toString(data.length));
    }
    assertThat(storeReadBytes(http) - read0).as("hits do not read the store").isEqualTo(data.length);
    assertThat(metric(http, "imago_cache_requests_total", "result=\"hit\"") - hits0).isEqualTo(3);
    Await.until("hits are counted once each download is over",
        () -> hitsOf(id) == 3);
  }

  private long hitsOf(String id) {
    return cache().cached().stream().filter(c -> c.imageId().equals(id)).mapToLong(CachedImage::hits).sum();
  }

  private static NodeCache cache() {
    return server.app().cache();
  }

  @Test
  void rangeRequestsNeitherUseNorFillTheCache() {
    byte[] data = Fixtures.bytes(1 << 20, 2);
    String id = Fixtures.activeImage(http, data);
    Http.Resp part = http.get("/v2/images/" + id + "/file", "Range", "bytes=10-19").expect(206);
    assertThat(part.bytes()).hasSize(10);
    assertThat(Files.exists(cacheDir().resolve(id))).isFalse();
    assertThat(cache().isCached(id)).isFalse();
    // cached now: a Range request is still answered by the store
    http.get("/v2/images/" + id + "/file").expect(200);
    Await.until("cached", () -> cache().isCached(id));
    double read0 = storeReadBytes(http);
    http.get("/v2/images/" + id + "/file", "Range", "bytes=0-99").expect(206);
    assertThat(storeReadBytes(http) - read0).isEqualTo(100);
  }

  @Test
  void fiftyConcurrentColdDownloadsReadTheStoreOnce() throws Exception {
    byte[] data = Fixtures.bytes(16 << 20, 3);
    String id = Fixtures.activeImage(http, data);
    String md5 = Fixtures.md5(data);
    double read0 = storeReadBytes(http);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<String>> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        all.add(pool.submit(() -> streamedMd5(server.baseUrl() + "/v2/images/" + id + "/file")));
      }
      for (Future<String> f : all) {
        assertThat(f.get()).isEqualTo(md5);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(storeReadBytes(http) - read0).as("bytes read from the store").isEqualTo(data.length);
    assertThat(cache().isCached(id)).isTrue();
  }

  @Test
  void aClientThatHangsUpDoesNotStopTheFill() throws Exception {
    byte[] data = Fixtures.bytes(24 << 20, 4);
    String id = Fixtures.activeImage(http, data);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setReceiveBufferSize(4096);
      s.getOutputStream().write(get(id));
      s.getInputStream().readNBytes(1000);
      s.setSoLinger(true, 0);
    }
    Await.until("the fill went on without its client", () -> cache().isCached(id));
    assertThat(Fixtures.md5(Files.readAllBytes(cacheDir().resolve(id)))).isEqualTo(Fixtures.md5(data));
  }

  @Test
  void wrongBytesInTheStoreAreNeverPublishedNorSentWhole() throws Exception {
    byte[] data = Fixtures.bytes(2 << 20, 5);
    String id = Fixtures.activeImage(http, data);
    byte[] corrupt = data.clone();
    corrupt[corrupt.length / 2] ^= 1;
    Files.write(server.storeDir().resolve(id), corrupt);

    long t0 = System.nanoTime();
    long received = rawDownload(id);
    assertThat(received).as("body bytes before the connection ended").isLessThan(data.length);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms until the connection was reset, not left open")
        .isLessThan(5_000);
    Await.until("the failed fill left the incomplete directory",
        () -> !Files.exists(cacheDir().resolve("incomplete").resolve(id)));
    assertThat(cache().isCached(id)).isFalse();
    assertThat(Files.exists(cacheDir().resolve(id))).isFalse();
    assertThat(metric(http, "imago_cache_fills_total", "outcome=\"failed\"")).isGreaterThanOrEqualTo(1);
    // the cleaner empties invalid/
    cache().clean().await();
    assertThat(Files.exists(cacheDir().resolve("invalid").resolve(id))).isFalse();
  }

  @Test
  void aDeletedImageLeavesTheCacheAtOnce() {
    byte[] data = Fixtures.bytes(1 << 20, 6);
    String id = Fixtures.activeImage(http, data);
    http.get("/v2/images/" + id + "/file").expect(200);
    Await.until("cached", () -> cache().isCached(id));
    http.delete("/v2/images/" + id).expect(204);
    assertThat(cache().isCached(id)).isFalse();
    Await.until("its file is deleted", () -> !Files.exists(cacheDir().resolve(id)));
    http.get("/v2/images/" + id + "/file").expect(404);
  }

  @Test
  void aDeactivatedImageIsNeverServedFromTheCache() {
    byte[] data = Fixtures.bytes(1 << 20, 7);
    String id = Fixtures.createImage(http, new io.vertx.core.json.JsonObject().put("visibility", "public"))
        .getString("id");
    http.putBytes("/v2/images/" + id + "/file", data).expect(204);
    http.get("/v2/images/" + id + "/file").expect(200);
    Await.until("cached", () -> cache().isCached(id));
    http.post("/v2/images/" + id + "/actions/deactivate", null).expect(204);
    double hits0 = metric(http, "imago_cache_requests_total", "result=\"hit\"");
    http.as("someone", "member", "reader").get("/v2/images/" + id + "/file").expect(403);
    double read0 = storeReadBytes(http);
    // an admin may still download it: from the store
    assertThat(Fixtures.md5(http.get("/v2/images/" + id + "/file").expect(200).bytes())).isEqualTo(Fixtures.md5(data));
    assertThat(storeReadBytes(http) - read0).isEqualTo(data.length);
    assertThat(metric(http, "imago_cache_requests_total", "result=\"hit\"")).isEqualTo(hits0);
    http.post("/v2/images/" + id + "/actions/reactivate", null).expect(204);
    http.get("/v2/images/" + id + "/file").expect(200);
    assertThat(metric(http, "imago_cache_requests_total", "result=\"hit\"")).isEqualTo(hits0 + 1);
  }

  @Test
  void aRestartRebuildsTheViewFromDisk() throws Exception {
    byte[] data = Fixtures.bytes(1 << 20, 8);
    String id = Fixtures.activeImage(http, data);
    http.get("/v2/images/" + id + "/file").expect(200);
    Await.until("cached", () -> cache().isCached(id));
    // what a crash in the middle of a fill leaves behind
    Files.write(cacheDir().resolve("incomplete").resolve(id + "x"), new byte[10]);
    server.restart();
    Http h = server.http();
    assertThat(cache().isCached(id)).isTrue();
    assertThat(Files.exists(cacheDir().resolve("incomplete").resolve(id + "x"))).isFalse();
    double read0 = storeReadBytes(h);
    assertThat(Fixtures.md5(h.get("/v2/images/" + id + "/file").expect(200).bytes())).isEqualTo(Fixtures.md5(data));
    assertThat(storeReadBytes(h) - read0).isZero();
  }

  private static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

  /** The MD5 of a 200 response's body, digested as it arrives (50 clients of 16 MiB would not fit the heap). */
  static String streamedMd5(String url) throws Exception {
    var resp = CLIENT.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    assertThat(resp.statusCode()).isEqualTo(200);
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
    try (InputStream in = resp.body()) {
      byte[] buf = new byte[65536];
      int r;
      while ((r = in.read(buf)) > 0) {
        md.update(buf, 0, r);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  @Test
  void http2DownloadsOfAFillAndOfAHitComplete() throws Exception {
    byte[] data = Fixtures.bytes(3 << 20, 10);
    String id = Fixtures.activeImage(http, data);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      // prior-knowledge h2c, several streams on one connection: the cold ones read the fill, the last one hits
      var client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      var req = new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.GET)
          .setHost("127.0.0.1").setPort(server.port()).setURI("/v2/images/" + id + "/file");
      List<io.vertx.core.Future<io.vertx.core.buffer.Buffer>> cold = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        cold.add(client.request(req).compose(r -> r.send()).compose(r -> r.body()));
      }
      for (var f : cold) {
        assertThat(Fixtures.md5(f.await().getBytes())).isEqualTo(Fixtures.md5(data));
      }
      Await.until("cached", () -> cache().isCached(id));
      var hit = client.request(req).compose(r -> r.send()).compose(r -> r.body()).await();
      assertThat(Fixtures.md5(hit.getBytes())).isEqualTo(Fixtures.md5(data));
    } finally {
      vertx.close().await();
    }
  }

  static byte[] get(String id) {
    return ("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Body bytes a raw HTTP/1.1 download received before its connection ended (or its whole length). */
  static long rawDownload(String id) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(get(id));
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          return -1;
        }
        head.append((char) c);
      }
      long n = 0;
      byte[] buf = new byte[65536];
      try {
        int r;
        while ((r = in.read(buf)) > 0) {
          n += r;
        }
      } catch (IOException reset) {
        // the connection was reset: what arrived before counts
      }
      return n;
    }
  }
}
