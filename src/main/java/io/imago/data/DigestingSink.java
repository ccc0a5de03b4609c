package io.imago.data;

import io.imago.domain.ImagoException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * The one pass over an upload's bytes: every buffer is counted, checked against the size limit,
 * written to the store and fed to each digest. Digests run on the hashing pool, each digest in its
 * own ordered chain (so MD5 and SHA-512 use two cores at once), and at most
 * {@code maxPendingBuffers} buffers may wait for them: beyond that {@link #writeQueueFull()} is
 * true and the pipe stops reading the socket, so memory stays flat however fast the client sends.
 *
 * <p>All methods run on the event loop of the request; hashing threads only ever see buffers.
 */
final class DigestingSink implements WriteStream<Buffer> {
  private final WorkerExecutor hashing;
  private final int maxPendingBuffers;
  private final WriteStream<Buffer> out;
  private final long limit;
  private final List<MessageDigest> digests;
  private final List<Future<Void>> tails = new ArrayList<>();
  private final LongConsumer onBytes;
  private final Promise<Void> failure = Promise.promise();
  private long count;
  private int pending;
  private Handler<Void> drainHandler;
  private Throwable failed;

  /**
   * @param limit bytes accepted; one more is a {@link io.imago.domain.ErrorKind#TOO_LARGE} failure
   * @param onBytes told of every buffer's size (metrics)
   */
  DigestingSink(WorkerExecutor hashing, int maxPendingBuffers, WriteStream<Buffer> out, long limit,
      List<MessageDigest> digests, LongConsumer onBytes) {
    this.hashing = hashing;
    this.maxPendingBuffers = maxPendingBuffers;
    this.out = out;
    this.limit = limit;
    this.digests = digests;
    this.onBytes = onBytes;
    for (int i = 0; i < digests.size(); i++) {
      tails.add(Future.succeededFuture());
    }
    out.drainHandler(v -> checkDrain());
  }

  long count() {
    return count;
  }

  /** Fails the sink: the next write fails, so the pipe stops, and {@link #failures()} completes. */
  void fail(Throwable cause) {
    if (failed == null) {
      failed = cause;
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
      fail(ImagoException.tooLarge("Image exceeds the size limit of %d bytes", limit));
      return Future.failedFuture(failed);
    }
    onBytes.accept(n);
    // Inbound buffers are unpooled heap copies owned by us: safe to share with the hashing threads.
    ByteBuffer view = ((BufferInternal) data).getByteBuf().nioBuffer();
    pending++;
    List<Future<Void>> updates = new ArrayList<>(digests.size());
    for (int i = 0; i < digests.size(); i++) {
      MessageDigest d = digests.get(i);
      ByteBuffer mine = view.duplicate();
      Future<Void> next = tails.get(i).compose(v -> hashing.executeBlocking(() -> {
        d.update(mine);
        return null;
      }, false));
      tails.set(i, next);
      updates.add(next);
    }
    Future.all(updates).onComplete(ar -> {
      pending--;
      if (ar.failed()) {
        fail(ar.cause());
      }
      checkDrain();
    });
    return out.write(data);
  }

  /** Waits for every digest to see every byte written so far, then returns their values. */
  Future<List<byte[]>> digests() {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    return Future.all(new ArrayList<>(tails)).map(v -> {
      List<byte[]> out = new ArrayList<>(digests.size());
      for (MessageDigest d : digests) {
        out.add(d.digest());
      }
      return out;
    });
  }

  @Override
  public boolean writeQueueFull() {
    return failed == null && (pending >= maxPendingBuffers || out.writeQueueFull());
  }

  @Override
  public DigestingSink drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    checkDrain();
    return this;
  }

  private void checkDrain() {
    Handler<Void> h = drainHandler;
    if (h != null && !writeQueueFull()) {
      drainHandler = null;
      h.handle(null);
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
