package io.imago.cache;

import io.imago.worker.Pools;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One client of a {@link Fill}: a paused stream of the whole image that reads the fill's file
 * (positional reads on the blocking pool, one chunk at a time, as far as the fill has written) and
 * waits for the fill when it has caught up. The last byte comes only once the fill is verified
 * and published; a failed fill fails the stream if bytes were still missing. Events are delivered
 * on the reader's own context (its request's event loop).
 */
final class FillReader implements ReadStream<Buffer> {
  static final int CHUNK = 256 * 1024;

  private final Fill fill;
  private final Pools pools;
  private final Context ctx;
  private final Path committed;
  private FileChannel channel;
  private boolean ownChannel;
  private final boolean acquired;
  private volatile boolean closed;
  private long pos;
  private long demand;
  private boolean reading;
  private boolean done;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  FillReader(Fill fill, Pools pools, Context ctx, Path committed) {
    this.fill = fill;
    this.pools = pools;
    this.ctx = ctx;
    this.committed = committed;
    this.channel = fill.acquire();
    this.acquired = channel != null;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> h) {
    handler = h;
    if (h != null) {
      pumpLater();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    demand = Long.MAX_VALUE;
    pumpLater();
    return this;
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    pumpLater();
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }

  private void pumpLater() {
    ctx.runOnContext(v -> pump());
  }

  private void pump() {
    if (done || closed || reading || demand <= 0 || handler == null) {
      return;
    }
    Fill.View view = fill.view();
    long size = fill.size;
    if (view.state() == Fill.State.FAILED) {
      fail(new CacheFillException("cache fill of " + fill.id + " failed at byte " + pos + ": "
          + view.failure().getMessage(), view.failure()));
      return;
    }
    boolean published = view.state() == Fill.State.COMMITTED;
    long available = published ? size : Math.min(view.written(), size - 1);
    if (pos >= size && published) {
      done = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    if (pos >= available) {
      fill.await(view, this::pumpLater);
      return;
    }
    reading = true;
    long at = pos;
    int len = (int) Math.min(CHUNK, available - at);
    pools.blocking(() -> read(at, len)).onComplete(ar -> ctx.runOnContext(v -> {
      reading = false;
      if (closed || done) {
        return;
      }
      if (ar.failed()) {
        fail(ar.cause());
        return;
      }
      pos += len;
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      Handler<Buffer> h = handler;
      if (h != null) {
        try {
          h.handle(ar.result());
        } catch (RuntimeException e) { // the response is over (the client went away): stop here
          fail(e);
          return;
        }
      }
      pump();
    }));
  }

  private Buffer read(long at, int len) throws IOException {
    FileChannel ch;
    synchronized (this) {
      if (channel == null) {
        // the fill was over before this reader started: read the published file
        channel = FileChannel.open(committed, StandardOpenOption.READ);
        ownChannel = true;
      }
      ch = channel;
    }
    ByteBuffer bb = ByteBuffer.allocate(len);
    while (bb.hasRemaining()) {
      int n = ch.read(bb, at + bb.position());
      if (n < 0) {
        throw new EOFException("cache file of " + fill.id + " ends at " + (at + bb.position()));
      }
    }
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bb.array()));
  }

  private void fail(Throwable e) {
    done = true;
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(e);
    }
  }

  /** The download is over: let go of the file. Idempotent, from any thread. */
  void close() {
    FileChannel own;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      own = ownChannel ? channel : null;
    }
    if (own != null) {
      pools.blocking(() -> {
        own.close();
        return null;
      });
    } else if (acquired) {
      fill.release();
    }
  }
}
