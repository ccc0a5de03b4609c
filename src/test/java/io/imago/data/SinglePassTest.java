package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The single pass and its taps on in-memory streams with tiny chunks, so every back-pressure path runs. */
class SinglePassTest {
  private final Vertx vertx = Vertx.vertx();
  private final io.vertx.core.Context context = vertx.getOrCreateContext();
  private final List<java.util.concurrent.ExecutorService> pools = new java.util.ArrayList<>();

  private java.util.concurrent.ExecutorService pool(int threads) {
    java.util.concurrent.ExecutorService p = java.util.concurrent.Executors.newFixedThreadPool(threads);
    pools.add(p);
    return p;
  }

  /** Builds a value on the test's Vert.x context (a sink belongs to the context it is made on). */
  private <T> T onContextValue(java.util.function.Supplier<T> f) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> p.complete(f.get()));
    return p.future().await(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    pools.forEach(java.util.concurrent.ExecutorService::shutdownNow);
    vertx.close().await();
  }

  @Test
  void everyByteReachesTheStoreAndEveryDigestInOrder() throws Exception {
    byte[] data = new byte[200_000];
    new Random(1).nextBytes(data);
    java.util.concurrent.ExecutorService hashing = pool(2);
    Recording out = new Recording(3);
    Tap<String> md5 = Taps.digest("checksum", "MD5");
    Tap<String> sha512 = Taps.digest("os_hash_value", "SHA-512");
    Tap<Long> size = Taps.size(Long.MAX_VALUE, n -> new IllegalStateException("no limit"));
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 2, 4096, out, List.of(size, md5, sha512)));
    Source src = new Source(data, 17);
    TapResults found = onContext(() -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.finish()));

    assertThat(out.bytes()).isEqualTo(data);
    assertThat(found.get(md5)).isEqualTo(hex("MD5", data));
    assertThat(found.get(sha512)).isEqualTo(hex("SHA-512", data));
    assertThat(found.get(size)).isEqualTo(data.length);
    assertThat(sink.count()).isEqualTo(data.length);
  }

  @Test
  void aStalledHashingPoolStopsTheSourceAfterTheAllowedBuffers() throws Exception {
    byte[] data = new byte[100 * 1000];
    java.util.concurrent.ExecutorService hashing = pool(1);
    CountDownLatch gate = new CountDownLatch(1);
    hashing.execute(() -> {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Recording out = new Recording(Integer.MAX_VALUE);
    Tap<String> md5 = Taps.digest("checksum", "MD5");
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 2, 1000, out, List.of(md5)));
    Source src = new Source(data, 1000);
    Promise<TapResults> result = Promise.promise();
    context.runOnContext(v -> src.pipe().endOnComplete(false).to(sink).compose(x -> sink.finish()).onComplete(result));

    Thread.sleep(300); // give a broken back-pressure the chance to read everything
    assertThat(src.emitted.get()).as("buffers read while hashing is stalled").isLessThanOrEqualTo(2);
    gate.countDown();
    TapResults found = result.future().await(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(src.emitted.get()).isEqualTo(100);
    assertThat(found.get(md5)).isEqualTo(hex("MD5", data));
  }

  @Test
  void aHashingPoolThatThrowsWhileTakingABatchFailsTheUploadInsteadOfLosingTheBatch() throws Exception {
    // The third hand-off to the pool throws an Error (as a lock-wait detector or an OOM would).
    java.util.concurrent.ExecutorService real = pool(1);
    AtomicInteger handOffs = new AtomicInteger();
    java.util.concurrent.Executor hashing = task -> {
      if (handOffs.incrementAndGet() == 3) {
        throw new Error("hand-off refused");
      }
      real.execute(task);
    };
    Recording out = new Recording(8);
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 1, 100, out,
        List.of(Taps.digest("checksum", "MD5"))));
    Source src = new Source(new byte[1000], 100);
    Throwable failure = onContextFailure(
        () -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.finish()).mapEmpty());
    assertThat(failure).hasMessage("hand-off refused");
  }

  @Test
  void oneByteOverTheLimitFailsTheUploadAsTooLarge() throws Exception {
    java.util.concurrent.ExecutorService hashing = pool(1);
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 4, 100, new Recording(8),
        List.of(Taps.size(999, n -> io.imago.domain.ImagoException.tooLarge("%d bytes is too large", n)), Taps.digest("checksum", "MD5"))));
    Source src = new Source(new byte[1000], 100);
    Throwable failure = onContextFailure(() -> src.pipe().endOnComplete(false).to(sink));
    assertThat(failure).isInstanceOf(io.imago.domain.ImagoException.class);
    assertThat(((io.imago.domain.ImagoException) failure).kind()).isEqualTo(io.imago.domain.ErrorKind.TOO_LARGE);
    assertThat(sink.failures().failed()).isTrue();
  }

  @Test
  void aSlowStoreThatDrainsOnceAtATimeNeverStallsTheUpload() throws Exception {
    byte[] data = new byte[3_000_000];
    new Random(3).nextBytes(data);
    java.util.concurrent.ExecutorService hashing = pool(2);
    Recording out = new Recording(1); // full after every write: the store is the bottleneck
    Tap<String> md5 = Taps.digest("checksum", "MD5");
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 8, 10_000, out, List.of(md5)));
    Source src = new Source(data, 1_000);
    TapResults found = onContext(() -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.finish()));
    assertThat(out.bytes()).isEqualTo(data);
    assertThat(found.get(md5)).isEqualTo(hex("MD5", data));
  }

  @Test
  void aLaneTapThatFailsMidStreamFailsThePassAndStopsReading() throws Exception {
    java.util.concurrent.ExecutorService hashing = pool(2);
    Recording out = new Recording(Integer.MAX_VALUE);
    IllegalStateException refusal = new IllegalStateException("not an image this service accepts");
    Tap<Void> refusesAfter3000 = new CountingTap(false, 3000, refusal);
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 2, 500, out,
        List.of(Taps.digest("checksum", "MD5"), refusesAfter3000)));
    Source src = new Source(new byte[1_000_000], 100);
    Throwable failure = onContextFailure(() -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.finish())
        .mapEmpty());
    assertThat(failure).isSameAs(refusal);
    assertThat(sink.failures().failed()).isTrue();
    // the pipe stopped soon after the refusal: nowhere near the whole body was read
    assertThat(src.emitted.get()).isLessThan(200);
  }

  @Test
  void anInlineTapThatFailsStopsThePassAtThatBuffer() throws Exception {
    java.util.concurrent.ExecutorService hashing = pool(1);
    Recording out = new Recording(Integer.MAX_VALUE);
    IllegalStateException refusal = new IllegalStateException("bad header");
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 2, 500, out,
        List.of(new CountingTap(true, 250, refusal), Taps.digest("checksum", "MD5"))));
    Source src = new Source(new byte[10_000], 100);
    Throwable failure = onContextFailure(() -> src.pipe().endOnComplete(false).to(sink));
    assertThat(failure).isSameAs(refusal);
    // the refused buffer and everything after it are refused too: nothing reached the store
    assertThat(out.bytes()).isEmpty();
    Throwable later = onContextFailure(() -> sink.write(Buffer.buffer(new byte[1])));
    assertThat(later).isSameAs(refusal);
  }

  @Test
  void aLaneTapsResultIsComputedOffTheEventLoopAfterItsLastByte() throws Exception {
    java.util.concurrent.ExecutorService hashing = pool(2);
    CountingTap counter = new CountingTap(false, Long.MAX_VALUE, null);
    SinglePass sink = onContextValue(() -> new SinglePass(hashing, 2, 700, new Recording(3), List.of(counter)));
    Source src = new Source(new byte[12_345], 100);
    TapResults found = onContext(() -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.finish()));
    assertThat(found.get(counter)).isNull();
    assertThat(counter.seen).isEqualTo(12_345);
    assertThat(counter.resultThread).startsWith("pool-");
  }

  /** Counts bytes; throws {@code failure} once past {@code failAfter}; remembers where its result ran. */
  private static final class CountingTap implements Tap<Void> {
    private final boolean inline;
    private final long failAfter;
    private final RuntimeException failure;
    volatile long seen;
    volatile String resultThread;

    CountingTap(boolean inline, long failAfter, RuntimeException failure) {
      this.inline = inline;
      this.failAfter = failAfter;
      this.failure = failure;
    }

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public boolean inline() {
      return inline;
    }

    @Override
    public void accept(java.nio.ByteBuffer bytes) {
      seen += bytes.remaining();
      bytes.position(bytes.limit()); // a tap may consume its own view
      if (seen > failAfter) {
        throw failure;
      }
    }

    @Override
    public Void result() {
      resultThread = Thread.currentThread().getName();
      return null;
    }
  }

  private <T> T onContext(java.util.function.Supplier<Future<T>> f) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> f.get().onComplete(p));
    return p.future().await(30, java.util.concurrent.TimeUnit.SECONDS); // a stall fails, never hangs
  }

  private Throwable onContextFailure(java.util.function.Supplier<Future<Void>> f) {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> f.get().onComplete(p));
    try {
      p.future().await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Throwable e) { // errors too: a failure may be one
      if (e instanceof java.util.concurrent.TimeoutException) {
        throw new AssertionError("the stream neither ended nor failed", e);
      }
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private static String hex(String algo, byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algo).digest(b));
  }

  /** Emits {@code data} in chunks, honouring pause/fetch like a socket. */
  private static final class Source implements ReadStream<Buffer> {
    private final byte[] data;
    private final int chunk;
    private final AtomicInteger emitted = new AtomicInteger();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private long demand;
    private int pos;
    private boolean emitting;

    Source(byte[] data, int chunk) {
      this.data = data;
      this.chunk = chunk;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> h) {
      handler = h;
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      demand = 0;
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      return fetch(Long.MAX_VALUE);
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
      emit();
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> h) {
      endHandler = h;
      return this;
    }

    private void emit() {
      if (emitting) {
        return;
      }
      emitting = true;
      while (demand > 0 && pos < data.length && handler != null) {
        int n = Math.min(chunk, data.length - pos);
        byte[] copy = java.util.Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        emitted.incrementAndGet();
        handler.handle(Buffer.buffer(copy));
      }
      emitting = false;
      if (pos >= data.length && endHandler != null) {
        Handler<Void> e = endHandler;
        endHandler = null;
        e.handle(null);
      }
    }
  }

  /** A store writer that reports full every {@code fullEvery} writes and drains on the next turn. */
  private final class Recording implements WriteStream<Buffer> {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int fullEvery;
    private int writes;
    private boolean full;
    private Handler<Void> drain;

    Recording(int fullEvery) {
      this.fullEvery = fullEvery;
    }

    byte[] bytes() {
      return bytes.toByteArray();
    }

    @Override
    public Future<Void> write(Buffer data) {
      bytes.writeBytes(data.getBytes());
      if (++writes % fullEvery == 0) {
        full = true;
        context.runOnContext(v -> {
          full = false;
          // one-shot, as the WriteStream contract allows: the consumer must re-arm it
          Handler<Void> d = drain;
          drain = null;
          if (d != null) {
            d.handle(null);
          }
        });
      }
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      return this;
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return full;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> h) {
      drain = h;
      return this;
    }
  }
}
