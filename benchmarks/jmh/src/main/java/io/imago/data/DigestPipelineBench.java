package io.imago.data;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The upload's single pass: 64 MiB in 64 KiB socket-sized buffers through {@link SinglePass}
 * (1 MiB batches; the size tap inline, MD5 and SHA-512 each in a {@link TapLane} on a 2-thread
 * hashing pool) into a
 * store that drops the bytes. Compared with one thread doing MD5 then SHA-512 over the same bytes,
 * and each digest alone: the pipeline's job is to approach the slower digest alone.
 * Score = milliseconds per 64 MiB (lower is better; MB/s = 67.1 / score × 1000).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DigestPipelineBench {
  static final int TOTAL = 64 << 20;
  static final int CHUNK = 64 << 10;

  private Vertx vertx;
  private Context context;
  private ExecutorService hashing;
  private Buffer[] chunks;
  private byte[] flat;

  @Setup(Level.Trial)
  public void setup() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    hashing = Executors.newFixedThreadPool(2);
    flat = new byte[TOTAL];
    new Random(1).nextBytes(flat);
    chunks = new Buffer[TOTAL / CHUNK];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = Buffer.buffer(java.util.Arrays.copyOfRange(flat, i * CHUNK, (i + 1) * CHUNK));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hashing.shutdownNow();
    vertx.close().await();
  }

  /** A store that accepts everything at once. */
  static final class Discard implements WriteStream<Buffer> {
    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> h) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      return Future.succeededFuture();
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
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }

  @Benchmark
  public TapResults pipeline() throws Exception {
    Promise<TapResults> done = Promise.promise();
    context.runOnContext(v -> {
      SinglePass sink = new SinglePass(hashing, 4, SinglePass.DEFAULT_BATCH_BYTES, new Discard(),
          List.of(Taps.size(Long.MAX_VALUE, n -> new IllegalStateException("no limit")), Taps.digest("checksum", "MD5"), Taps.digest("os_hash_value", "SHA-512")));
      feed(sink, 0, done);
    });
    return done.future().await(60, TimeUnit.SECONDS);
  }

  /** Writes the chunks, honouring back-pressure as a pipe from the socket would. */
  private void feed(SinglePass sink, int from, Promise<TapResults> done) {
    int i = from;
    while (i < chunks.length && !sink.writeQueueFull()) {
      // a fresh Buffer view per write: the sink keeps the ByteBuf of each
      sink.write(chunks[i].copy());
      i++;
    }
    if (i < chunks.length) {
      int next = i;
      sink.drainHandler(v -> feed(sink, next, done));
    } else {
      sink.finish().onComplete(done);
    }
  }

  @Benchmark
  public byte[] md5ThenSha512OneThread() {
    MessageDigest m = md("MD5");
    MessageDigest s = md("SHA-512");
    for (int off = 0; off < TOTAL; off += CHUNK) {
      m.update(flat, off, CHUNK);
      s.update(flat, off, CHUNK);
    }
    m.digest();
    return s.digest();
  }

  @Benchmark
  public byte[] md5Alone() {
    MessageDigest m = md("MD5");
    m.update(flat, 0, TOTAL);
    return m.digest();
  }

  @Benchmark
  public byte[] sha512Alone() {
    MessageDigest m = md("SHA-512");
    m.update(flat, 0, TOTAL);
    return m.digest();
  }

  static MessageDigest md(String algo) {
    try {
      return MessageDigest.getInstance(algo);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
