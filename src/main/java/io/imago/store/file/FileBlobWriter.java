package io.imago.store.file;

import io.imago.store.BlobWriter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import java.nio.file.Path;

/** Writes one blob to a temp file of a {@link FileBlobStore}. */
final class FileBlobWriter implements BlobWriter {
  private final FileBlobStore store;
  private final String key;
  private final Path tmp;
  private final AsyncFile file;
  private long written;
  private boolean closed;
  private Future<Void> cancelled;

  FileBlobWriter(FileBlobStore store, String key, Path tmp, AsyncFile file) {
    this.store = store;
    this.key = key;
    this.tmp = tmp;
    this.file = file;
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
    if (closed) {
      return Future.failedFuture(new IllegalStateException("write after close: " + key));
    }
    written += data.length();
    return file.write(data);
  }

  @Override
  public Future<Void> end() {
    return Future.failedFuture(new IllegalStateException("BlobWriter: call commit() or cancel(), not end()"));
  }

  @Override
  public BlobWriter setWriteQueueMaxSize(int maxSize) {
    file.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return !closed && file.writeQueueFull();
  }

  @Override
  public BlobWriter drainHandler(Handler<Void> handler) {
    if (!closed) {
      file.drainHandler(handler);
    }
    return this;
  }

  @Override
  public BlobWriter exceptionHandler(Handler<Throwable> handler) {
    file.exceptionHandler(handler);
    return this;
  }

  @Override
  public Future<Void> commit() {
    if (cancelled != null) {
      return Future.failedFuture(new IllegalStateException("commit after cancel: " + key));
    }
    // flush() is fdatasync: the bytes are on disk before the rename makes them visible.
    return file.flush()
        .compose(v -> closeFile())
        .compose(v -> store.publish(tmp, key))
        .recover(e -> cancel().transform(x -> Future.failedFuture(e)));
  }

  @Override
  public synchronized Future<Void> cancel() {
    if (cancelled == null) {
      cancelled = closeFile().transform(x -> store.discard(tmp));
    }
    return cancelled;
  }

  private Future<Void> closeFile() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    return file.close();
  }
}
