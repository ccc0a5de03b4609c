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

/** The upload tap on in-memory streams with tiny chunks, so every back-pressure path runs. */
class DigestingSinkTest {
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
    DigestingSink sink = onContextValue(() -> new DigestingSink(hashing, 2, 4096, out, Long.MAX_VALUE,
        List.of(md("MD5"), md("SHA-512")), n -> { }));
    Source src = new Source(data, 17);
    List<byte[]> digests = onContext(() -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.digests()));

    assertThat(out.bytes()).isEqualTo(data);
    assertThat(HexFormat.of().formatHex(digests.get(0))).isEqualTo(hex("MD5", data));
    assertThat(HexFormat.of().formatHex(digests.get(1))).isEqualTo(hex("SHA-512", data));
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
    DigestingSink sink = onContextValue(() -> new DigestingSink(hashing, 2, 1000, out, Long.MAX_VALUE,
        List.of(md("MD5")), n -> { }));
    Source src = new Source(data, 1000);
    Promise<List<byte[]>> result = Promise.promise();
    context.runOnContext(v -> src.pipe().endOnComplete(false).to(sink).compose(x -> sink.digests()).onComplete(result));

    Thread.sleep(300); // give a broken back-pressure the chance to read everything
    assertThat(src.emitted.get()).as("buffers read while hashing is stalled").isLessThanOrEqualTo(2);
    gate.countDown();
    List<byte[]> digests = result.future().await(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(src.emitted.get()).isEqualTo(100);
    assertThat(HexFormat.of().formatHex(digests.get(0))).isEqualTo(hex("MD5", data));
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
    DigestingSink sink = onContextValue(() -> new DigestingSink(hashing, 1, 100, out, Long.MAX_VALUE,
        List.of(md("MD5")), n -> { }));
    Source src = new Source(new byte[1000], 100);
    Throwable failure = onContextFailure(
        () -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.digests()).mapEmpty());
    assertThat(failure).hasMessage("hand-off refused");
  }

  @Test
  void oneByteOverTheLimitFailsTheUploadAsTooLarge() throws Exception {
    java.util.concurrent.ExecutorService hashing = pool(1);
    DigestingSink sink = onContextValue(() -> new DigestingSink(hashing, 4, 100, new Recording(8), 999,
        List.of(md("MD5")), n -> { }));
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
    DigestingSink sink = onContextValue(() -> new DigestingSink(hashing, 8, 10_000, out, Long.MAX_VALUE,
        List.of(md("MD5")), n -> { }));
    Source src = new Source(data, 1_000);
    List<byte[]> digests = onContext(() -> src.pipe().endOnComplete(false).to(sink).compose(v -> sink.digests()));
    assertThat(out.bytes()).isEqualTo(data);
    assertThat(HexFormat.of().formatHex(digests.get(0))).isEqualTo(hex("MD5", data));
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

  private static MessageDigest md(String algo) {
    try {
      return MessageDigest.getInstance(algo);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
