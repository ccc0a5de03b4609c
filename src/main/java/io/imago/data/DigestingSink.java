package io.imago.data;

import io.imago.domain.ImagoException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * The one pass over an upload's bytes: every buffer is counted, checked against the size limit,
 * written to the store and fed to each digest.
 *
 * <p>The socket delivers chunks of up to 64 KiB; handing each to three threads (two digests and
 * the store) would cost more in wake-ups than the hashing itself. So chunks are gathered, without
 * copying, into batches of {@code batchBytes}; each batch is one write to the store and one entry
 * in each digest's {@link DigestLane}, which hashes in order on the hashing pool without waiting
 * for the event loop (MD5 and SHA-512 use two cores at once). At most {@code maxPendingBatches}
 * batches may wait for the digests: beyond that {@link #writeQueueFull()} is true and the pipe
 * stops reading the socket, so memory stays flat however fast the client sends.
 *
 * <p>All methods run on the event loop of the request; hashing threads only ever see batches.
 */
final class DigestingSink implements WriteStream<Buffer> {
  /** Bytes gathered before a batch goes to the store and the digests. */
  static final int DEFAULT_BATCH_BYTES = 1 << 20;

  private final int maxPendingBatches;
  private final int batchBytes;
  private final WriteStream<Buffer> out;
  private final long limit;
  private final List<DigestLane> lanes = new ArrayList<>();
  private final LongConsumer onBytes;
  private final LongFunction<? extends Throwable> overLimit;
  private final Promise<Void> failure = Promise.promise();
  private final List<ByteBuf> batch = new ArrayList<>();
  private int batched;
  private long count;
  private int pending;
  private Future<Void> lastWrite = Future.succeededFuture();
  private Handler<Void> drainHandler;
  private Throwable failed;

  /**
   * @param limit bytes accepted; one more is a {@link io.imago.domain.ErrorKind#TOO_LARGE} failure
   * @param onBytes told of every buffer's size (metrics)
   */
  DigestingSink(Executor hashing, int maxPendingBatches, int batchBytes, WriteStream<Buffer> out, long limit,
      List<MessageDigest> digests, LongConsumer onBytes) {
    this(hashing, maxPendingBatches, batchBytes, out, limit,
        count -> ImagoException.tooLarge("Image exceeds the size limit of %d bytes", limit), digests, onBytes);
  }

  /** @param overLimit the failure past {@code limit}, given the bytes received so far */
  DigestingSink(Executor hashing, int maxPendingBatches, int batchBytes, WriteStream<Buffer> out, long limit,
      LongFunction<? extends Throwable> overLimit, List<MessageDigest> digests, LongConsumer onBytes) {
    this.overLimit = overLimit;
    this.maxPendingBatches = maxPendingBatches;
    this.batchBytes = batchBytes;
    this.out = out;
    this.limit = limit;
    this.onBytes = onBytes;
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("DigestingSink must be created on the upload's context");
    }
    for (MessageDigest d : digests) {
      lanes.add(new DigestLane(hashing, context, d, this::laneBatchDone));
    }
  }

  long count() {
    return count;
  }

  /** Fails the sink: the next write fails, so the pipe stops, and {@link #failures()} completes. */
  void fail(Throwable cause) {
    if (failed == null) {
      failed = cause;
      batch.clear();
      batched = 0;
      failure.tryFail(cause);
      checkDrain();
    }
  }

  /** Fails when the sink fails (size limit, cancellation); lets the caller stop waiting for the body. */
  Future<Void> failures() {
    return failure.future();
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    int n = data.length();
    count += n;
    if (count > limit) {
      fail(overLimit.apply(count));
      return Future.failedFuture(failed);
    }
    onBytes.accept(n);
    // Inbound buffers are unpooled heap copies owned by us: safe to share with other threads.
    batch.add(((BufferInternal) data).getByteBuf());
    batched += n;
    return batched >= batchBytes ? flush() : Future.succeededFuture();
  }

  /** Sends the gathered batch to the store and the digests; its write future is returned. */
  private Future<Void> flush() {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    ByteBuf whole = batch.size() == 1 ? batch.get(0) : Unpooled.wrappedBuffer(batch.toArray(new ByteBuf[0]));
    ByteBuffer[] views = whole.nioBuffers();
    batch.clear();
    batched = 0;
    // pending counts lane entries: a batch is done when every digest has seen it
    pending += lanes.size();
    for (DigestLane lane : lanes) {
      lane.submit(views);
    }
    lastWrite = out.write(BufferInternal.buffer(whole)).onFailure(this::fail);
    return lastWrite;
  }

  private void laneBatchDone() {
    pending--;
    for (DigestLane lane : lanes) {
      if (lane.failure() != null) {
        fail(lane.failure());
      }
    }
    checkDrain();
  }

  /**
   * At the end of the body: sends the last partial batch, waits for every digest to see every byte
   * and for the store to have taken them, then returns the digests' values.
   */
  Future<List<byte[]>> digests() {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    flush();
    List<Future<byte[]>> values = new ArrayList<>(lanes.size());
    for (DigestLane lane : lanes) {
      values.add(lane.finish());
    }
    return Future.all(values).compose(v -> lastWrite).map(v -> {
      List<byte[]> out = new ArrayList<>(values.size());
      for (Future<byte[]> f : values) {
        out.add(f.result());
      }
      return out;
    });
  }

  @Override
  public boolean writeQueueFull() {
    return failed == null && (pending >= maxPendingBatches * lanes.size() || out.writeQueueFull());
  }

  @Override
  public DigestingSink drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    checkDrain();
    return this;
  }

  /**
   * Resumes the pipe once neither the digests nor the store hold it back. A store's drain handler
   * fires once, so it is armed anew each time the store is what holds the pipe back.
   */
  private void checkDrain() {
    Handler<Void> h = drainHandler;
    if (h == null) {
      return;
    }
    if (!writeQueueFull()) {
      drainHandler = null;
      h.handle(null);
    } else if (failed == null && out.writeQueueFull()) {
      out.drainHandler(v -> checkDrain());
    }
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public DigestingSink exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public DigestingSink setWriteQueueMaxSize(int maxSize) {
    out.setWriteQueueMaxSize(maxSize);
    return this;
  }
}
