package io.imago.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.CacheConfig;
import io.imago.config.WorkerConfig;
import io.imago.data.Download;
import io.imago.data.DownloadCache.Cached;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.Location;
import io.imago.domain.Visibility;
import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.worker.Pools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fill's rules that need a store under the test's hand (a source stream it feeds): clients
 * joining a fill are served while it fills, the last byte waits for verification, a failed or
 * stalled fill fails only readers still missing bytes, and the pruner's order and pins. The
 * cache, its files, pools and Vert.x are the real ones.
 */
class NodeCacheTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private Pools pools;
  private Context ctx;
  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    pools = new Pools(vertx, new WorkerConfig(2, 4, 4));
    ctx = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() {
    pools.close();
    vertx.close().await();
  }

  private NodeCache cache(long maxSize, int high, int low) throws Exception {
    return cache(maxSize, high, low, 0);
  }

  private NodeCache cache(long maxSize, int high, int low, long minFreeDisk) throws Exception {
    CacheConfig cfg = new CacheConfig(dir.resolve("cache"), maxSize, Duration.ofMinutes(10), high, low, minFreeDisk,
        Duration.ofSeconds(30), Duration.ofMinutes(10), 2);
    return NodeCache.open(cfg, vertx, pools, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  static Image image(String id, byte[] data) {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    return new Image(id, "test", ImageStatus.ACTIVE, Visibility.SHARED, false, false, "p", Fixtures.md5(data),
        "sha512", Fixtures.sha512(data), (long) data.length, null, "bare", "raw", 0, 0, Set.of(), Map.of(),
        List.of(new Location("file", id, Map.of())), t, t, 1);
  }

  @Test
  void joinedClientsAreServedWhileTheFillRunsAndGetTheLastByteOnlyWhenVerified() throws Exception {
    NodeCache cache = cache(1L << 30, 100, 90);
    byte[] data = Fixtures.bytes(3 << 20, 1);
    Image image = image("11111111-1111-1111-1111-111111111111", data);
    Feed feed = new Feed();
    Collector first = open(cache, image, feed);
    feed.push(slice(data, 0, 2 << 20));
    Collector second = open(cache, image, () -> Future.failedFuture("a joined client must not read the store"));
    Await.until("the joined client has bytes before the store stream ends", () -> second.size() >= 1 << 20);
    feed.push(slice(data, 2 << 20, data.length));
    Await.until("every byte but the last is out", () -> first.size() == data.length - 1
        && second.size() == data.length - 1);
    Thread.sleep(200);
    assertThat(first.ended()).isFalse();
    assertThat(first.size()).as("the last byte waits for the end of the store's stream and the checks")
        .isEqualTo(data.length - 1);
    feed.end();
    Await.until("both end", () -> first.ended() && second.ended());
    assertThat(first.bytes()).isEqualTo(data);
    assertThat(second.bytes()).isEqualTo(data);
    assertThat(cache.isCached(image.id())).isTrue();
    first.release();
    second.release();
  }

  @Test
  void aFailedFillFailsTheClientsStillMissingBytesAndPublishesNothing() throws Exception {
    NodeCache cache = cache(1L << 30, 100, 90);
    byte[] data = Fixtures.bytes(2 << 20, 2);
    Image image = image("22222222-2222-2222-2222-222222222222", data);
    Feed feed = new Feed();
    Collector reader = open(cache, image, feed);
    feed.push(slice(data, 0, 1 << 20));
    Await.until("bytes arrive", () -> reader.size() >= 1 << 20);
    feed.fail(new RuntimeException("store went away"));
    Await.until("the reader fails", () -> reader.failure() != null);
    assertThat(reader.ended()).isFalse();
    assertThat(reader.bytes()).isEqualTo(slice(data, 0, reader.size()).getBytes());
    Await.until("the file is in invalid/", () -> Files.exists(dir.resolve("cache/invalid").resolve(image.id())));
    assertThat(cache.isCached(image.id())).isFalse();
    assertThat(cache.clean().await()).isEqualTo(1);
    reader.release();
  }

  @Test
  void wrongBytesOfTheRightSizeAreNeverPublished() throws Exception {
    NodeCache cache = cache(1L << 30, 100, 90);
    byte[] data = Fixtures.bytes(1 << 20, 3);
    byte[] wrong = data.clone();
    wrong[7] ^= 1;
    Image image = image("33333333-3333-3333-3333-333333333333", data);
    Feed feed = new Feed();
    Collector reader = open(cache, image, feed);
    feed.push(Buffer.buffer(wrong));
    feed.end();
    Await.until("the reader fails", () -> reader.failure() != null);
    assertThat(reader.size()).isLessThan(data.length);
    assertThat(cache.isCached(image.id())).isFalse();
    assertThat(dir.resolve("cache").resolve(image.id())).doesNotExist();
  }

  @Test
  void theCleanerAbandonsAStalledFill() throws Exception {
    NodeCache cache = cache(1L << 30, 100, 90);
    byte[] data = Fixtures.bytes(2 << 20, 4);
    Image image = image("44444444-4444-4444-4444-444444444444", data);
    Feed feed = new Feed();
    Collector reader = open(cache, image, feed);
    feed.push(slice(data, 0, 1 << 20));
    Await.until("bytes arrive", () -> reader.size() >= 1 << 20);
    assertThat(cache.clean().await()).isZero();
    assertThat(reader.failure()).isNull();
    clock.advance(Duration.ofMinutes(11));
    cache.clean().await();
    Await.until("the reader fails", () -> reader.failure() != null);
    assertThat(reader.failure()).hasMessageContaining("stalled");
    Await.until("nothing of it is left", () -> !Files.exists(dir.resolve("cache/incomplete").resolve(image.id())));
  }

  @Test
  void thePrunerEvictsLeastRecentlyUsedFirstDownToTheLowWatermarkAndNeverAFileBeingRead() throws Exception {
    NodeCache cache = cache(10L << 20, 80, 50); // prune at 8 MiB, down to 5 MiB
    Image[] images = new Image[4];
    Cached[] reading = new Cached[1];
    for (int i = 0; i < 4; i++) {
      byte[] data = Fixtures.bytes(2 << 20, 10 + i);
      images[i] = image("5555555" + i + "-5555-5555-5555-555555555555", data);
      fill(cache, images[i], data);
      clock.advance(Duration.ofSeconds(1));
    }
    // the oldest is being sent to a client: pinned
    reading[0] = call(() -> cache.open(images[0], () -> Future.failedFuture("hit expected")));
    assertThat(reading[0].body()).isInstanceOf(Download.LocalFile.class);
    PruneResult r = cache.prune().await();
    assertThat(r.files()).isEqualTo(2);
    assertThat(cache.isCached(images[0].id())).isTrue();
    assertThat(cache.isCached(images[1].id())).isFalse();
    assertThat(cache.isCached(images[2].id())).isFalse();
    assertThat(cache.isCached(images[3].id())).isTrue();
    assertThat(cache.prune().await().files()).isZero();
    reading[0].end().ended(true);
  }

  @Test
  void belowTheFreeDiskFloorThePrunerEvictsWhatIsNotBeingRead() throws Exception {
    NodeCache cache = cache(1L << 40, 100, 90, Long.MAX_VALUE / 2); // never enough room
    byte[] a = Fixtures.bytes(1 << 20, 20);
    byte[] b = Fixtures.bytes(1 << 20, 21);
    Image first = image("66666666-6666-6666-6666-666666666660", a);
    Image second = image("66666666-6666-6666-6666-666666666661", b);
    fill(cache, first, a);
    fill(cache, second, b);
    Cached reading = call(() -> cache.open(second, () -> Future.failedFuture("hit expected")));
    PruneResult r = cache.prune().await();
    assertThat(r.files()).isEqualTo(1);
    assertThat(cache.isCached(first.id())).isFalse();
    assertThat(cache.isCached(second.id())).isTrue();
    reading.end().ended(true);
  }

  @Test
  void aRestartedCacheFindsItsFilesAndQueue() throws Exception {
    NodeCache cache = cache(1L << 30, 100, 90);
    byte[] a = Fixtures.bytes(1 << 20, 30);
    Image image = image("77777777-7777-7777-7777-777777777777", a);
    fill(cache, image, a);
    cache.queue("88888888-8888-8888-8888-888888888888").await();
    NodeCache again = cache(1L << 30, 100, 90);
    assertThat(again.cached()).extracting(CachedImage::imageId, CachedImage::size)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(image.id(), (long) a.length));
    assertThat(again.queued()).extracting(QueuedImage::imageId).containsExactly("88888888-8888-8888-8888-888888888888");
  }

  @Test
  void imagesLargerThanTheCacheOrTheFreeRoomAreLeftToTheStore() throws Exception {
    byte[] data = Fixtures.bytes(2 << 20, 40);
    Image image = image("99999999-9999-9999-9999-999999999999", data);
    assertThat(cache(1L << 20, 100, 90).takes(image)).as("larger than image_cache_max_size").isFalse();
    assertThat(cache(1L << 30, 100, 90, Long.MAX_VALUE / 2).takes(image)).as("no room above min_free_disk").isFalse();
    assertThat(cache(1L << 30, 100, 90).takes(image)).isTrue();
  }

  // ---- helpers

  private void fill(NodeCache cache, Image image, byte[] data) throws Exception {
    Feed feed = new Feed();
    CompletableFuture<Void> done = new CompletableFuture<>();
    ctx.runOnContext(v -> cache.fill(image, () -> Future.succeededFuture(feed))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            done.complete(null);
          } else {
            done.completeExceptionally(ar.cause());
          }
        }));
    Await.until("the fill's stream is open", feed::opened);
    feed.push(Buffer.buffer(data));
    feed.end();
    done.get(10, TimeUnit.SECONDS);
  }

  private <T> T call(Supplier<Future<T>> f) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    ctx.runOnContext(v -> f.get().onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
      } else {
        out.completeExceptionally(ar.cause());
      }
    }));
    return out.get(10, TimeUnit.SECONDS);
  }

  private Collector open(NodeCache cache, Image image, Feed feed) throws Exception {
    return open(cache, image, () -> Future.succeededFuture(feed));
  }

  private Collector open(NodeCache cache, Image image, Supplier<Future<ReadStream<Buffer>>> source) throws Exception {
    Cached c = call(() -> cache.open(image, source));
    assertThat(c.body()).isInstanceOf(Download.Stream.class);
    Collector col = new Collector(c);
    ctx.runOnContext(v -> col.start());
    return col;
  }

  private static Buffer slice(byte[] data, int from, int to) {
    return Buffer.buffer(java.util.Arrays.copyOfRange(data, from, to));
  }

  /** A client: reads a cached download's stream to its end, or its failure. */
  static final class Collector {
    private final Cached cached;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private volatile boolean ended;
    private volatile Throwable failure;

    Collector(Cached cached) {
      this.cached = cached;
    }

    void start() {
      ReadStream<Buffer> s = ((Download.Stream) cached.body()).bytes();
      s.exceptionHandler(e -> failure = e);
      s.endHandler(v -> ended = true);
      s.handler(b -> {
        synchronized (out) {
          out.writeBytes(b.getBytes());
        }
      });
      s.resume();
    }

    int size() {
      synchronized (out) {
        return out.size();
      }
    }

    byte[] bytes() {
      synchronized (out) {
        return out.toByteArray();
      }
    }

    boolean ended() {
      return ended;
    }

    Throwable failure() {
      return failure;
    }

    void release() {
      cached.end().ended(ended);
    }
  }

  /** The store, by hand: a paused stream the test pushes buffers into. */
  final class Feed implements ReadStream<Buffer> {
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private boolean paused = true;
    private volatile boolean opened;
    private static final Object END = new Object();

    boolean opened() {
      return opened;
    }

    void push(Buffer b) {
      ctx.runOnContext(v -> {
        pending.add(b);
        deliver();
      });
    }

    void end() {
      ctx.runOnContext(v -> {
        pending.add(END);
        deliver();
      });
    }

    void fail(Throwable e) {
      ctx.runOnContext(v -> exceptionHandler.handle(e));
    }

    private void deliver() {
      while (!paused && !pending.isEmpty()) {
        Object next = pending.poll();
        if (next == END) {
          endHandler.handle(null);
        } else if (handler != null) {
          handler.handle((Buffer) next);
        }
      }
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      exceptionHandler = h;
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      opened = true;
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      paused = true;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      paused = false;
      ctx.runOnContext(v -> deliver());
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      return resume();
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      endHandler = h;
      return this;
    }
  }

  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
