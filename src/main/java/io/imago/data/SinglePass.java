package io.imago.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The one pass over an upload's bytes: every buffer goes to each {@link Tap} and to the store.
 *
 * <p>Inline taps (counting, the size limit) see each buffer as it arrives, on the event loop. For
 * the others, handing every 64–256 KiB socket chunk to several threads would cost more in wake-ups
 * than the work itself, so chunks are gathered, without copying, into batches of
 * {@code batchBytes}; each batch is one write to the store and one entry in each tap's
 * {@link TapLane}, which runs that tap in order on the hashing pool without waiting for the event
 * loop (MD5 and SHA-512 use two cores at once). At most {@code maxPendingBatches} batches may wait
 * for a lane: beyond that {@link #writeQueueFull()} is true and the pipe stops reading the socket,
 * so memory stays flat however fast the client sends.
 *
 * <p>All methods run on the event loop of the request; hashing threads only ever see batches.
 */
final class SinglePass implements WriteStream<Buffer> {
  /** Bytes gathered before a batch goes to the store and the lanes. */
  static final int DEFAULT_BATCH_BYTES = 1 << 20;

  private final int maxPendingBatches;
  private final int batchBytes;
  private final WriteStream<Buffer> out;
  private final List<Tap<?>> inline = new ArrayList<>();
  private final List<TapLane<?>> lanes = new ArrayList<>();
  private final Map<Tap<?>, TapLane<?>> laneOf = new IdentityHashMap<>();
  private final Promise<Void> failure = Promise.promise();
  private final List<ByteBuf> batch = new ArrayList<>();
  private int batched;
  private long count;
  private int pending;
  private Future<Void> lastWrite = Future.succeededFuture();
  private Handler<Void> drainHandler;
  private Throwable failed;

  SinglePass(Executor pool, int maxPendingBatches, int batchBytes, WriteStream<Buffer> out, List<Tap<?>> taps) {
    this.maxPendingBatches = maxPendingBatches;
    this.batchBytes = batchBytes;
    this.out = out;
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("SinglePass must be created on the upload's context");
    }
    for (Tap<?> tap : taps) {
      if (tap.inline()) {
        inline.add(tap);
      } else {
        TapLane<?> lane = new TapLane<>(pool, context, tap, this::laneBatchDone);
        lanes.add(lane);
        laneOf.put(tap, lane);
      }
    }
  }

  /** Bytes received so far. */
  long count() {
    return count;
  }

  /** Fails the pass: the next write fails, so the pipe stops, and {@link #failures()} completes. */
  void fail(Throwable cause) {
    if (failed == null) {
      failed = cause;
      batch.clear();
      batched = 0;
      failure.tryFail(cause);
      checkDrain();
    }
  }

  /** Fails when the pass fails (a tap, the store, a cancel); lets the caller stop waiting for the body. */
  Future<Void> failures() {
    return failure.future();
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    // Inbound buffers are unpooled heap copies owned by us: safe to share with other threads.
    ByteBuf buf = ((BufferInternal) data).getByteBuf();
    int n = buf.readableBytes();
    count += n;
    for (Tap<?> tap : inline) {
      try {
        tap.accept(buf.nioBuffer());
      } catch (RuntimeException e) {
        fail(e);
        return Future.failedFuture(e);
      }
    }
    batch.add(buf);
    batched += n;
    return batched >= batchBytes ? flush() : Future.succeededFuture();
  }

  /** Sends the gathered batch to the store and the lanes; its write future is returned. */
  private Future<Void> flush() {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    ByteBuf whole = batch.size() == 1 ? batch.get(0) : Unpooled.wrappedBuffer(batch.toArray(new ByteBuf[0]));
    ByteBuffer[] views = whole.nioBuffers();
    batch.clear();
    batched = 0;
    // pending counts lane entries: a batch is done when every lane has seen it
    pending += lanes.size();
    for (TapLane<?> lane : lanes) {
      lane.submit(views);
    }
    lastWrite = out.write(BufferInternal.buffer(whole)).onFailure(this::fail);
    return lastWrite;
  }

  private void laneBatchDone() {
    pending--;
    for (TapLane<?> lane : lanes) {
      if (lane.failure() != null) {
        fail(lane.failure());
      }
    }
    checkDrain();
  }

  /**
   * At the end of the body: sends the last partial batch, waits for every lane to see every byte
   * and for the store to have taken them, then returns what each tap found.
   */
  Future<TapResults> finish() {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    Map<Tap<?>, Object> results = new IdentityHashMap<>();
    for (Tap<?> tap : inline) {
      try {
        results.put(tap, tap.result());
      } catch (RuntimeException e) {
        fail(e);
        return Future.failedFuture(e);
      }
    }
    flush();
    List<Future<?>> fromLanes = new ArrayList<>(lanes.size());
    laneOf.forEach((tap, lane) -> fromLanes.add(lane.finish().onSuccess(r -> results.put(tap, r))));
    return Future.all(fromLanes).compose(v -> lastWrite).map(v -> new TapResults(results));
  }

  @Override
  public boolean writeQueueFull() {
    return failed == null && ((!lanes.isEmpty() && pending >= maxPendingBatches * lanes.size()) || out.writeQueueFull());
  }

  @Override
  public SinglePass drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    checkDrain();
    return this;
  }

  /**
   * Resumes the pipe once neither the lanes nor the store hold it back. A store's drain handler
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
  public SinglePass exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public SinglePass setWriteQueueMaxSize(int maxSize) {
    out.setWriteQueueMaxSize(maxSize);
    return this;
  }
}
