package io.imago.store;

import static java.util.Objects.requireNonNull;

import io.imago.metrics.Metrics;
import io.imago.metrics.StoreMeters;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every store gets without writing it (the registry wraps each one): keys are validated before
 * the store sees them, every operation is timed by outcome, bytes in and out are counted, and a
 * failure the store did not type is typed here as {@link StoreException.Kind#UNAVAILABLE} (and
 * logged, since it is a store bug or a surprise), so that nothing above has to guess.
 */
public final class InstrumentedStore implements BlobStore {
  private static final Logger LOG = LoggerFactory.getLogger(InstrumentedStore.class);

  /** What the meters time, by these names. */
  private static final List<String> OPERATIONS =
      List.of("stat", "read", "create", "write", "commit", "cancel", "delete", "clean", "list");

  private final BlobStore store;
  private final StoreMeters meters;

  public InstrumentedStore(BlobStore store, Metrics metrics) {
    this.store = requireNonNull(store, "store");
    this.meters = metrics.store(store.id(), OPERATIONS);
  }

  /** The store inside, for what only it knows (a file store's directory, in tests). */
  public BlobStore unwrap() {
    return store;
  }

  @Override
  public String id() {
    return store.id();
  }

  @Override
  public String type() {
    return store.type();
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return store.capabilities();
  }

  @Override
  public Map<String, Object> properties() {
    return store.properties();
  }

  @Override
  public Future<BlobInfo> stat(String key) {
    BlobKeys.require(key);
    return timed("stat", key, () -> store.stat(key));
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key, ByteRange range) {
    BlobKeys.require(key);
    return timed("read", key, () -> store.read(key, range)).map(CountingReadStream::new);
  }

  @Override
  public Future<BlobWriter> create(String key) {
    BlobKeys.require(key);
    return timed("create", key, () -> store.create(key)).map(CountingWriter::new);
  }

  @Override
  public Future<Void> delete(String key) {
    BlobKeys.require(key);
    return timed("delete", key, () -> store.delete(key));
  }

  @Override
  public Future<List<StoredBlob>> list() {
    return timed("list", null, store::list);
  }

  @Override
  public Future<Optional<Path>> localFile(String key) {
    BlobKeys.require(key);
    return store.localFile(key);
  }

  /** Counts bytes read from this store's {@link #localFile} by someone else (sendfile). */
  public void sent(long bytes) {
    meters.read(bytes);
  }

  @Override
  public String url(String key) {
    return store.url(BlobKeys.require(key));
  }

  @Override
  public Future<Integer> cleanIncomplete() {
    return timed("clean", null, store::cleanIncomplete);
  }

  private <T> Future<T> timed(String operation, String key, Supplier<Future<T>> call) {
    long t0 = System.nanoTime();
    Future<T> f;
    try {
      f = call.get();
    } catch (IllegalArgumentException e) {
      throw e; // a bad key or range: the caller's bug, not the store's failure
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.transform(ar -> {
      if (ar.succeeded()) {
        meters.operation(operation, "ok", System.nanoTime() - t0);
        return Future.succeededFuture(ar.result());
      }
      StoreException typed = typed(operation, key, ar.cause());
      meters.operation(operation, typed.kind().name().toLowerCase(java.util.Locale.ROOT), System.nanoTime() - t0);
      return Future.failedFuture(typed);
    });
  }

  private StoreException typed(String operation, String key, Throwable e) {
    StoreException se = StoreException.find(e);
    if (se != null) {
      return se;
    }
    LOG.atWarn().setMessage("store failure without a kind").addKeyValue("store", store.id())
        .addKeyValue("operation", operation).setCause(e).log();
    return new StoreException(StoreException.Kind.UNAVAILABLE, store.id(), key, operation + ": " + e, e);
  }

  /** A read stream that counts what it delivers. */
  private final class CountingReadStream implements ReadStream<Buffer> {
    private final ReadStream<Buffer> in;

    CountingReadStream(ReadStream<Buffer> in) {
      this.in = in;
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      in.exceptionHandler(handler == null ? null : e -> handler.handle(typed("read", null, e)));
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
      in.handler(handler == null ? null : b -> {
        meters.read(b.length());
        handler.handle(b);
      });
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      in.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      in.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      in.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
      in.endHandler(endHandler);
      return this;
    }
  }

  /** A writer that counts what it takes, and times its commit and cancel. */
  private final class CountingWriter implements BlobWriter {
    private final BlobWriter out;

    CountingWriter(BlobWriter out) {
      this.out = out;
    }

    @Override
    public String key() {
      return out.key();
    }

    @Override
    public long bytesWritten() {
      return out.bytesWritten();
    }

    @Override
    public Future<Void> write(Buffer data) {
      meters.written(data.length());
      return out.write(data).recover(e -> Future.failedFuture(typed("write", out.key(), e)));
    }

    @Override
    public Future<BlobLocation> commit() {
      return timed("commit", out.key(), out::commit);
    }

    @Override
    public Future<Void> cancel() {
      return timed("cancel", out.key(), out::cancel);
    }

    @Override
    public Future<Void> end() {
      return out.end();
    }

    @Override
    public BlobWriter exceptionHandler(Handler<Throwable> handler) {
      out.exceptionHandler(handler == null ? null : e -> handler.handle(typed("write", out.key(), e)));
      return this;
    }

    @Override
    public BlobWriter setWriteQueueMaxSize(int maxSize) {
      out.setWriteQueueMaxSize(maxSize);
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return out.writeQueueFull();
    }

    @Override
    public BlobWriter drainHandler(Handler<Void> handler) {
      out.drainHandler(handler);
      return this;
    }
  }
}
