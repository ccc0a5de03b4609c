package io.imago.store.file;

import io.imago.store.BlobLocation;
import io.imago.store.BlobWriter;
import io.imago.worker.Pools;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one blob to a temp file of a {@link FileBlobStore}.
 *
 * <p>Buffers queue up on the event loop and are written by one task at a time on the blocking
 * pool, with a gathering write of everything queued, so the file sees the bytes in order and a
 * burst costs one hand-off, not one per buffer. {@link #commit()} waits for the last write, then
 * fsyncs: unlike {@code AsyncFile.flush()}, which forces the file while writes may still be in
 * flight, nothing written before commit can be missing after it.
 *
 * <p>Every method runs on the event loop of the upload; write tasks only see the buffers handed
 * to them.
 */
final class FileBlobWriter implements BlobWriter {
  private static final int DEFAULT_MAX_QUEUED = 8 << 20;
  /**
   * Bytes written after which the file is synced in the background. Linux starts writeback only
   * when gigabytes are dirty, so without this the whole image would go to disk in the final fsync,
   * after the last byte arrived; syncing as we go — on another thread, while writes continue —
   * overlaps the disk with the network and the digests and leaves the commit only the tail.
   */
  private static final long SYNC_EVERY = 32L << 20;

  private final FileBlobStore store;
  private final Pools pools;
  private final String key;
  private final Path tmp;
  private final FileChannel channel;
  private final List<ByteBuffer> queued = new ArrayList<>();
  private final List<Promise<Void>> queuedPromises = new ArrayList<>();
  private long queuedBytes;
  private long inFlightBytes;
  private long written;
  private long unsynced;
  private Future<Void> syncing = Future.succeededFuture();
  private int maxQueued = DEFAULT_MAX_QUEUED;
  private boolean writing;
  private Throwable failure;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Promise<Void> idle;
  private Future<Void> finished;

  FileBlobWriter(FileBlobStore store, Pools pools, String key, Path tmp, FileChannel channel) {
    this.store = store;
    this.pools = pools;
    this.key = key;
    this.tmp = tmp;
    this.channel = channel;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public long bytesWritten() {
    return written;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (finished != null) {
      return Future.failedFuture(new IllegalStateException("write after commit or cancel: " + key));
    }
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    Promise<Void> p = Promise.promise();
    queued.add(((BufferInternal) data).getByteBuf().nioBuffer());
    queuedPromises.add(p);
    queuedBytes += data.length();
    written += data.length();
    writeQueued();
    return p.future();
  }

  /** Starts a write task for everything queued, unless one is running (it will come back for more). */
  private void writeQueued() {
    if (writing || queued.isEmpty()) {
      if (!writing && idle != null) {
        Promise<Void> i = idle;
        idle = null;
        i.complete();
      }
      return;
    }
    writing = true;
    ByteBuffer[] batch = queued.toArray(new ByteBuffer[0]);
    List<Promise<Void>> promises = new ArrayList<>(queuedPromises);
    long bytes = queuedBytes;
    queued.clear();
    queuedPromises.clear();
    queuedBytes = 0;
    inFlightBytes = bytes;
    pools.blocking(() -> {
      try {
        long left = bytes;
        while (left > 0) {
          left -= channel.write(batch);
        }
      } catch (IOException e) {
        throw store.onWrite(key, e);
      }
      return null;
    }).onComplete(ar -> {
      unsynced += bytes;
      if (ar.succeeded() && unsynced >= SYNC_EVERY && syncing.isComplete()) {
        unsynced = 0;
        // one background sync at a time; FileChannel allows force() concurrently with write()
        syncing = pools.blocking(() -> {
          try {
            channel.force(false);
          } catch (IOException e) {
            throw store.onWrite(key, e);
          }
          return null;
        });
      }
      writing = false;
      inFlightBytes = 0;
      if (ar.failed() && failure == null) {
        failure = ar.cause();
        if (exceptionHandler != null) {
          exceptionHandler.handle(failure);
        }
      }
      for (Promise<Void> p : promises) {
        p.handle(ar.mapEmpty());
      }
      if (failure != null) {
        for (Promise<Void> p : queuedPromises) {
          p.fail(failure);
        }
        queued.clear();
        queuedPromises.clear();
        queuedBytes = 0;
      }
      checkDrain();
      writeQueued();
    });
  }

  private void checkDrain() {
    Handler<Void> h = drainHandler;
    if (h != null && !writeQueueFull()) {
      drainHandler = null;
      h.handle(null);
    }
  }

  /** Completes when no write is queued or running. */
  private Future<Void> whenIdle() {
    if (!writing && queued.isEmpty()) {
      return Future.succeededFuture();
    }
    if (idle == null) {
      idle = Promise.promise();
    }
    return idle.future();
  }

  @Override
  public Future<Void> end() {
    return Future.failedFuture(new IllegalStateException("BlobWriter: call commit() or cancel(), not end()"));
  }

  @Override
  public BlobWriter setWriteQueueMaxSize(int maxSize) {
    this.maxQueued = Math.max(2, maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return failure == null && queuedBytes + inFlightBytes >= maxQueued;
  }

  @Override
  public BlobWriter drainHandler(Handler<Void> handler) {
    drainHandler = handler;
    checkDrain();
    return this;
  }

  @Override
  public BlobWriter exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<BlobLocation> commit() {
    if (finished != null) {
      return Future.failedFuture(new IllegalStateException("commit after commit or cancel: " + key));
    }
    Future<BlobLocation> done = whenIdle()
        .compose(v -> syncing.transform(x -> failure != null ? Future.failedFuture(failure)
            : x.failed() ? Future.failedFuture(x.cause()) : Future.succeededFuture()))
        .compose(v -> pools.blocking(() -> {
          try {
            // fsync before the rename makes the bytes visible: a crash never shows a short blob
            channel.force(true);
            channel.close();
          } catch (IOException e) {
            throw store.onWrite(key, e);
          }
          return null;
        }))
        .compose(v -> store.publish(tmp, key, written));
    finished = done.<Void>mapEmpty().recover(e -> discard().transform(x -> Future.failedFuture(e)));
    return finished.map(v -> done.result());
  }

  @Override
  public Future<Void> cancel() {
    if (finished == null) {
      queued.clear();
      for (Promise<Void> p : queuedPromises) {
        p.tryFail("cancelled");
      }
      queuedPromises.clear();
      queuedBytes = 0;
      finished = whenIdle().transform(x -> syncing).transform(x -> discard());
      return finished;
    }
    // After a commit: a failed commit already discarded; a committed blob is not ours to delete.
    return finished.transform(x -> Future.succeededFuture());
  }

  private Future<Void> discard() {
    return pools.blocking(() -> {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a channel whose file we delete next
      }
      return null;
    }).compose(v -> store.discard(tmp));
  }
}
