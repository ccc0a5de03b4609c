package io.imago.cache;

import io.imago.fault.FaultPoints;
import io.imago.worker.Pools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One image being written into the cache: the store's stream, read once, goes into
 * {@code incomplete/<id>} in 1 MiB batches (written on the blocking pool, digested on the hashing
 * pool, a few batches in flight, the store paused beyond that: memory stays flat), and every client
 * of the image reads that file as it grows ({@link FillReader}). At the end the size, the MD5
 * {@code checksum} and the {@code os_hash_value} are compared with the image's; only then is the
 * file fsynced and renamed to {@code <id>}. Readers get the last byte only after that, so a fill
 * that fails (store error, wrong bytes, stall) leaves every client that still needed a byte with a
 * short body and a reset connection, never a complete wrong image; its file goes to
 * {@code invalid/}.
 *
 * <p>The fill runs on the context it was started on, independently of its clients: one that hangs
 * up does not stop it. Its state is read by readers on other event loops under the monitor.
 */
final class Fill {
  private static final Logger LOG = LoggerFactory.getLogger(Fill.class);
  static final int BATCH_BYTES = 1 << 20;
  static final int MAX_BATCHES_IN_FLIGHT = 4;

  enum State { STARTING, FILLING, COMMITTED, FAILED }

  /** A consistent look at the fill for a reader. */
  record View(State state, long written, Throwable failure) {}

  final String id;
  final long size;
  private final String checksum;
  private final String osHashValue;
  private final NodeCache cache;
  private final Pools pools;
  private final Context ctx;
  private final Promise<Void> started = Promise.promise();
  private final Promise<Void> done = Promise.promise();

  // guarded by this
  private State state = State.STARTING;
  private long written;
  private Throwable failure;
  private FileChannel channel;
  private int refs = 1;
  private List<Runnable> waiters = new ArrayList<>();

  // on ctx only
  private ReadStream<Buffer> source;
  private final List<ByteBuf> batch = new ArrayList<>();
  private int batched;
  private long received;
  private long queued;
  private int inFlight;
  private boolean paused;
  private boolean ended;
  private boolean finishing;
  private boolean sourceOver;
  private Future<Void> writeTail = Future.succeededFuture();
  private Future<Void> hashTail = Future.succeededFuture();
  private final MessageDigest md5;
  private final MessageDigest osHash;

  volatile long lastProgressMillis;
  /** The image was deleted meanwhile: finish for the readers, but publish nothing. */
  volatile boolean discard;

  Fill(NodeCache cache, Pools pools, Context ctx, String id, long size, String checksum, String osHashJdkName,
      String osHashValue, long nowMillis) {
    this.cache = cache;
    this.pools = pools;
    this.ctx = ctx;
    this.id = id;
    this.size = size;
    this.checksum = checksum;
    this.osHashValue = osHashJdkName == null ? null : osHashValue;
    this.md5 = checksum == null ? null : digest("MD5");
    this.osHash = osHashJdkName == null || osHashValue == null ? null : digest(osHashJdkName);
    this.lastProgressMillis = nowMillis;
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("digest: " + name, e);
    }
  }

  /** Completes once the store's stream is open and the file created (fails as they do). */
  Future<Void> started() {
    return started.future();
  }

  /** Completes when the image is published in the cache; fails as the fill does. */
  Future<Void> done() {
    return done.future();
  }

  /** Opens the file and the store's stream, then pumps. On {@code ctx}. */
  void start(Supplier<Future<ReadStream<Buffer>>> sourceSupplier) {
    Path file = cache.incompletePath(id);
    pools.blocking(() -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ, StandardOpenOption.WRITE))
        .compose(ch -> {
          synchronized (this) {
            channel = ch;
          }
          try {
            return sourceSupplier.get();
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .onSuccess(stream -> ctx.runOnContext(v -> pump(stream)))
        .onFailure(this::fail);
  }

  private void pump(ReadStream<Buffer> stream) {
    synchronized (this) {
      if (state != State.STARTING) {
        drain(stream);
        return;
      }
      state = State.FILLING;
    }
    source = stream;
    started.tryComplete();
    LOG.atInfo().setMessage("cache fill started").addKeyValue("image_id", id).addKeyValue("bytes", size).log();
    stream.exceptionHandler(e -> {
      sourceOver = true;
      fail(e);
    });
    stream.endHandler(v -> onEnd());
    stream.handler(this::onBuffer);
    stream.resume();
  }

  private void onBuffer(Buffer data) {
    if (state() != State.FILLING) {
      return;
    }
    int n = data.length();
    received += n;
    cache.meters().readFromStore(n);
    if (received > size) {
      fail(new CacheFillException("the store gave more than the image's " + size + " bytes"));
      return;
    }
    batch.add(((BufferInternal) data).getByteBuf());
    batched += n;
    if (batched >= BATCH_BYTES) {
      flush();
    }
  }

  private void flush() {
    if (batched == 0) {
      return;
    }
    ByteBuf whole = batch.size() == 1 ? batch.get(0) : Unpooled.wrappedBuffer(batch.toArray(new ByteBuf[0]));
    ByteBuffer[] forWrite = whole.nioBuffers();
    ByteBuffer[] forHash = whole.nioBuffers();
    long pos = queued;
    int n = batched;
    queued += n;
    batch.clear();
    batched = 0;
    inFlight++;
    if (inFlight >= MAX_BATCHES_IN_FLIGHT && !paused) {
      paused = true;
      source.pause();
    }
    FileChannel ch;
    synchronized (this) {
      ch = channel;
    }
    Future<Void> w = writeTail = writeTail.compose(v -> pools.blocking(() -> {
      long at = pos;
      for (ByteBuffer b : forWrite) {
        while (b.hasRemaining()) {
          at += ch.write(b, at);
        }
      }
      return null;
    }));
    Future<Void> h = hashTail = hashTail.compose(v -> Future.fromCompletionStage(CompletableFuture.runAsync(() -> {
      for (ByteBuffer b : forHash) {
        if (md5 != null) {
          md5.update(b.duplicate());
        }
        if (osHash != null) {
          osHash.update(b.duplicate());
        }
      }
    }, pools.hashing()), ctx));
    w.onSuccess(v -> progressed(pos + n));
    Future.all(w, h).onComplete(ar -> {
      inFlight--;
      if (ar.failed()) {
        fail(new CacheFillException("write " + cache.incompletePath(id) + ": " + ar.cause(), ar.cause()));
        return;
      }
      if (paused && inFlight < MAX_BATCHES_IN_FLIGHT && state() == State.FILLING) {
        paused = false;
        source.resume();
      }
      if (ended && inFlight == 0) {
        finish();
      }
    });
  }

  private void progressed(long now) {
    List<Runnable> wake;
    synchronized (this) {
      written = Math.max(written, now);
      wake = takeWaiters();
    }
    lastProgressMillis = cache.nowMillis();
    wake.forEach(Runnable::run);
  }

  private void onEnd() {
    sourceOver = true;
    if (state() != State.FILLING) {
      return;
    }
    ended = true;
    flush();
    if (inFlight == 0) {
      finish();
    }
  }

  /** Every batch is written and digested: verify, publish. */
  private void finish() {
    if (finishing || state() != State.FILLING) {
      return;
    }
    finishing = true;
    try {
      FaultPoints.reach(FaultPoints.CACHE_FILL_WRITTEN);
    } catch (FaultPoints.InjectedFault e) {
      fail(e);
      return;
    }
    if (received != size) {
      fail(new CacheFillException("the store gave " + received + " bytes, the image has " + size));
      return;
    }
    if (md5 != null && !HexFormat.of().formatHex(md5.digest()).equals(checksum)) {
      fail(new CacheFillException("the data's MD5 does not match the image's checksum " + checksum));
      return;
    }
    if (osHash != null && !HexFormat.of().formatHex(osHash.digest()).equals(osHashValue)) {
      fail(new CacheFillException("the data's digest does not match the image's os_hash_value"));
      return;
    }
    FileChannel ch;
    synchronized (this) {
      ch = channel;
    }
    boolean publish = !discard;
    pools.blocking(() -> {
      Path from = cache.incompletePath(id);
      if (publish) {
        ch.force(false);
        Files.move(from, cache.cachedPath(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(from);
      }
      return null;
    }).onComplete(ar -> {
      if (ar.failed()) {
        fail(new CacheFillException("publish " + id + ": " + ar.cause(), ar.cause()));
        return;
      }
      cache.fillEnded(this, publish);
      List<Runnable> wake;
      synchronized (this) {
        state = State.COMMITTED;
        wake = takeWaiters();
      }
      release();
      wake.forEach(Runnable::run);
      cache.meters().fillEnded(publish ? "committed" : "discarded");
      LOG.atInfo().setMessage(publish ? "cache fill committed" : "cache fill discarded (image deleted)")
          .addKeyValue("image_id", id).addKeyValue("bytes", size).log();
      done.tryComplete();
    });
  }

  /** Ends the fill as failed: from any thread (the cleaner abandons stalled fills). */
  void fail(Throwable e) {
    List<Runnable> wake;
    synchronized (this) {
      if (state == State.COMMITTED || state == State.FAILED) {
        return;
      }
      state = State.FAILED;
      failure = e;
      wake = takeWaiters();
    }
    started.tryFail(e);
    done.tryFail(e);
    wake.forEach(Runnable::run);
    ctx.runOnContext(v -> {
      if (source != null && !sourceOver) {
        sourceOver = true;
        drain(source);
      }
    });
    cache.meters().fillEnded("failed");
    LOG.atWarn().setMessage("cache fill failed").addKeyValue("image_id", id).addKeyValue("reason", e.getMessage())
        .log();
    Path from = cache.incompletePath(id);
    pools.blocking(() -> {
      try {
        Files.move(from, cache.invalidPath(id), StandardCopyOption.REPLACE_EXISTING);
      } catch (NoSuchFileException gone) {
        // never created
      }
      return null;
    }).onComplete(ar -> {
      if (ar.failed()) {
        LOG.atWarn().setMessage("cache: could not move a failed fill to invalid/").addKeyValue("image_id", id)
            .setCause(ar.cause()).log();
      }
      cache.fillEnded(this, false);
      release();
    });
  }

  /** Lets the store's stream run to its end, unread, so that the store closes what it holds. */
  private static void drain(ReadStream<Buffer> stream) {
    try {
      stream.exceptionHandler(x -> { });
      stream.endHandler(x -> { });
      stream.handler(b -> { });
      stream.resume();
    } catch (IllegalStateException over) {
      // the stream had already ended and let go of what it held
    }
  }

  private List<Runnable> takeWaiters() {
    List<Runnable> w = waiters;
    waiters = new ArrayList<>();
    return w;
  }

  synchronized State state() {
    return state;
  }

  synchronized View view() {
    return new View(state, written, failure);
  }

  /** Runs {@code wake} once the fill has moved on from {@code seen} (more bytes, or a new state). */
  void await(View seen, Runnable wake) {
    synchronized (this) {
      if (state == seen.state() && written == seen.written()) {
        waiters.add(wake);
        return;
      }
    }
    wake.run();
  }

  /** The fill's file for a reader, counted; null once the fill has let it go. */
  synchronized FileChannel acquire() {
    if (channel == null || refs == 0) {
      return null;
    }
    refs++;
    return channel;
  }

  /** A reader (or the fill itself) is done with the file. */
  void release() {
    FileChannel toClose = null;
    synchronized (this) {
      if (refs > 0 && --refs == 0) {
        toClose = channel;
      }
    }
    if (toClose != null) {
      FileChannel ch = toClose;
      pools.blocking(() -> {
        try {
          ch.close();
        } catch (IOException ignored) {
          // nothing left to do with it
        }
        return null;
      });
    }
  }

  /** Abandons the fill if it has written nothing for {@code stallMillis}. */
  boolean abandonIfStalled(long nowMillis, long stallMillis) {
    if (nowMillis - lastProgressMillis >= stallMillis && state() != State.COMMITTED) {
      fail(new CacheFillException("stalled: nothing written for " + stallMillis / 1000 + " s"));
      return true;
    }
    return false;
  }
}
