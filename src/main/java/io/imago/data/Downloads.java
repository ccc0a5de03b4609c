package io.imago.data;

import io.imago.data.Download.Body;
import io.imago.data.Download.Content;
import io.imago.data.Download.LocalFile;
import io.imago.data.Download.NoData;
import io.imago.data.Download.Stream;
import io.imago.data.RangeRequest.Multiple;
import io.imago.data.RangeRequest.Outcome;
import io.imago.data.RangeRequest.Partial;
import io.imago.data.RangeRequest.Unsatisfiable;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.domain.Location;
import io.imago.metrics.Metrics;
import io.imago.store.ByteRange;
import io.imago.store.InstrumentedStore;
import io.imago.store.StoreException;
import io.imago.store.StoreRegistry;
import io.imago.worker.Pools;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The download use case (spec/images-api.md §4.7): turns an image the caller may download, and the
 * range asked for, into what to send: nothing (204), a local file and its range for kernel
 * sendfile, or a paused stream from the store. With the node cache on, a full download of an
 * active image is the cache's ({@link DownloadCache}): a hit, or the fill in progress.
 */
public final class Downloads {
  private final StoreRegistry stores;
  private final Pools pools;
  private final Metrics metrics;
  private final DownloadCache cache;

  public Downloads(StoreRegistry stores, Pools pools, Metrics metrics) {
    this(stores, pools, metrics, null);
  }

  /** @param cache the node cache, or null when it is off */
  public Downloads(StoreRegistry stores, Pools pools, Metrics metrics, DownloadCache cache) {
    this.stores = stores;
    this.pools = pools;
    this.metrics = metrics;
    this.cache = cache;
  }

  /**
   * What to send of {@code image} to {@code caller}, who is allowed to download it. Fails with 403
   * (deactivated, not admin), 400 (several ranges), 416 (range outside the data), 503 (the store
   * cannot give the data).
   */
  public Future<Download> open(Image image, Caller caller, RangeRequest range) {
    if (image.status() == ImageStatus.DEACTIVATED && !caller.admin()) {
      return Future.failedFuture(ImagoException.forbidden(
          "The requested image has been deactivated. Image data download is forbidden."));
    }
    if (image.status().hasNoData() || image.locations().isEmpty() || image.size() == null) {
      return Future.succeededFuture(new NoData());
    }
    long size = image.size();
    Outcome outcome = range.resolve(size);
    if (outcome instanceof Multiple) {
      return Future.failedFuture(ImagoException.badRequest("Multiple ranges are not supported."));
    }
    if (outcome instanceof Unsatisfiable) {
      return Future.failedFuture(new ImagoException(ErrorKind.RANGE_NOT_SATISFIABLE,
          Map.of("Content-Range", "bytes */" + size), null, "The Range requested is not available."));
    }
    ByteRange bytes = outcome instanceof Partial p ? p.range() : new ByteRange(0, size);
    // Glance reads the first location whose store is configured (the heaviest first)
    Location location = image.locations().stream().filter(l -> stores.contains(l.store())).findFirst().orElse(null);
    if (location == null) {
      return Future.failedFuture(new ImagoException(ErrorKind.UNAVAILABLE,
          "Image data of %s is in store '%s', which is not configured", image.id(), image.locations().get(0).store()));
    }
    InstrumentedStore store = stores.get(location.store());
    if (cache != null && outcome instanceof RangeRequest.Full && cache.takes(image)) {
      // a deactivated image (admins may still download it) is never served from the cache
      return cache.open(image, () -> store.read(location.key(), new ByteRange(0, size)))
          .recover(e -> Future.failedFuture(e instanceof ImagoException ? e : new ImagoException(ErrorKind.UNAVAILABLE,
              Map.of(), e, "The image data is not available from store '%s'.", store.id())))
          .map(cached -> {
            metrics.downloadStarted();
            return new Content(size, image.checksum(), 0, size, false, cached.body(),
                cachedEnding(cached.end(), size));
          });
    }
    return body(store, location.key(), bytes)
        .recover(e -> Future.failedFuture(e instanceof ImagoException ? e : new ImagoException(ErrorKind.UNAVAILABLE,
            Map.of(), e, "The image data is not available from store '%s'.", store.id())))
        .map(body -> {
          metrics.downloadStarted();
          return new Content(size, image.checksum(), bytes.offset(), bytes.length(), outcome instanceof Partial, body,
              ending(store, body, bytes.length()));
        });
  }

  /**
   * The whole data of an active image from its first configured store, as a supplier of its paused
   * stream (the prefetcher's source), or null when no configured store holds it.
   */
  public java.util.function.Supplier<Future<io.vertx.core.streams.ReadStream<io.vertx.core.buffer.Buffer>>> source(
      Image image) {
    Location location = image.locations().stream().filter(l -> stores.contains(l.store())).findFirst().orElse(null);
    if (location == null || image.size() == null) {
      return null;
    }
    InstrumentedStore store = stores.get(location.store());
    long size = image.size();
    return () -> store.read(location.key(), new ByteRange(0, size));
  }

  /**
   * A local file when the store has one — opened on the blocking pool (open(2) may block on a busy
   * disk), its length checked on that same descriptor — else the store's stream of the range.
   */
  private Future<Body> body(InstrumentedStore store, String key, ByteRange bytes) {
    return store.localFile(key).compose(file -> file.isEmpty()
        ? store.read(key, bytes).map(Stream::new)
        : pools.blocking(() -> open(store, key, file.get(), bytes)));
  }

  private static Body open(InstrumentedStore store, String key, Path path, ByteRange bytes) throws IOException {
    RandomAccessFile raf;
    try {
      raf = new RandomAccessFile(path.toFile(), "r");
    } catch (java.io.FileNotFoundException e) {
      throw new StoreException(StoreException.Kind.NOT_FOUND, store.id(), key, "no file " + path.getFileName(), e);
    }
    long actual = raf.length();
    if (actual < bytes.offset() + bytes.length()) {
      raf.close();
      throw new StoreException(StoreException.Kind.CORRUPT, store.id(), key, "stored data is " + actual
          + " bytes, expected at least " + (bytes.offset() + bytes.length()), null);
    }
    return new LocalFile(path, raf);
  }

  private Download.Ending cachedEnding(Download.Ending release, long length) {
    AtomicBoolean ended = new AtomicBoolean();
    return complete -> {
      if (ended.compareAndSet(false, true)) {
        metrics.downloadEnded();
        if (complete) {
          metrics.downloadBytes(length);
        }
        release.ended(complete);
      }
    };
  }

  private Download.Ending ending(InstrumentedStore store, Body body, long length) {
    AtomicBoolean ended = new AtomicBoolean();
    return complete -> {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      metrics.downloadEnded();
      if (complete) {
        metrics.downloadBytes(length);
      }
      if (body instanceof LocalFile f) {
        if (complete) {
          store.sent(length); // streamed bodies are counted by the store as they are read
        }
        pools.blocking(() -> {
          f.file().close();
          return null;
        });
      }
    };
  }
}
