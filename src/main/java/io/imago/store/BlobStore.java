package io.imago.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where image bytes live, by key: the SPI every store type implements (file now; S3 later). A store
 * knows keys and bytes, not images. Implementations are small: key validation, metrics and the
 * safety net for untyped failures come from {@link InstrumentedStore}, which the
 * {@link StoreRegistry} puts around every store; every implementation must pass the same contract
 * test ({@code BlobStoreContract}).
 *
 * <p>Failures are {@link StoreException}s carrying a {@link StoreException.Kind}; a missing blob is
 * a {@link BlobNotFoundException}. Methods are called on an event loop and never block it.
 */
public interface BlobStore {
  /** Store id: the {@code store} of a location, a metrics tag, and part of error texts. */
  String id();

  /** The store's type as Glance names it in {@code /v2/info/stores/detail}: {@code file}, {@code s3}, … */
  String type();

  Set<StoreCapability> capabilities();

  /**
   * What {@code /v2/info/stores/detail} shows admins of this store, with Glance's names for its
   * type (file: {@code data_dir}, {@code chunk_size}, {@code thin_provisioning}).
   */
  default Map<String, Object> properties() {
    return Map.of();
  }

  /** Size of a blob; fails with {@link BlobNotFoundException} when there is none. */
  Future<BlobInfo> stat(String key);

  /** The bytes of {@code range}, as a paused stream; fails with {@link BlobNotFoundException}. */
  Future<ReadStream<Buffer>> read(String key, ByteRange range);

  /**
   * A writer for a new blob. Nothing is visible under {@code key} until
   * {@link BlobWriter#commit()}; {@link BlobWriter#cancel()} leaves nothing behind.
   */
  Future<BlobWriter> create(String key);

  /** Removes a blob; deleting a missing blob succeeds. */
  Future<Void> delete(String key);

  /**
   * The blob as a local file, for zero-copy {@code sendFile}; empty when the store is not local.
   */
  default Future<Optional<Path>> localFile(String key) {
    return Future.succeededFuture(Optional.empty());
  }

  /** The URL shown as {@code direct_url} / in {@code locations} for a blob of this store. */
  String url(String key);

  /** Every published blob (not the writes in progress), for the reconciler that compares the store with the database. */
  Future<List<StoredBlob>> list();

  /** Removes what interrupted writers of this node left behind (run at start). */
  default Future<Integer> cleanIncomplete() {
    return Future.succeededFuture(0);
  }
}
