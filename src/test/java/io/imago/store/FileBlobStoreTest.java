package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imago.config.ConfigLoader;
import io.imago.config.WorkerConfig;
import io.imago.metrics.Metrics;
import io.imago.store.file.FileBlobStore;
import io.imago.worker.Pools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract against the file store as the service gets it from the registry (with its
 * instrumentation), plus what only a local store does: files, cleanup, typed failures, metrics.
 */
class FileBlobStoreTest extends BlobStoreContract {
  @TempDir
  Path dataDir;

  private Vertx vertx;
  private Pools pools;
  private PrometheusMeterRegistry meters;
  private StoreRegistry registry;
  private Path dir;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    pools = new Pools(vertx, new WorkerConfig(1, 4, 2));
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry = StoreRegistry.open(ConfigLoader.defaults(Map.of("data_dir", dataDir.toString())).store(),
        Map.of("file", FileBlobStore.type(vertx, pools, "node-a")), new Metrics(meters));
    dir = dataDir.resolve("images");
  }

  @AfterEach
  void close() {
    pools.close();
    vertx.close().await();
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Override
  protected BlobStore store() {
    return registry.get("file");
  }

  @Test
  void committedBlobIsAFileNamedByItsKeyWithNothingLeftInIncomplete() throws Exception {
    write("img", random(1234, 9));
    assertThat(dir.resolve("img")).hasSize(1234);
    assertThat(call(() -> store().localFile("img"))).contains(dir.resolve("img"));
    try (var s = Files.list(dir.resolve("incomplete"))) {
      assertThat(s).isEmpty();
    }
    assertThat(store().url("img")).isEqualTo("file://" + dir.resolve("img"));
  }

  @Test
  void cleanIncompleteRemovesOnlyThisNodesPartialFiles() throws Exception {
    BlobWriter w = call(() -> store().create("partial"));
    call(() -> w.write(Buffer.buffer(random(100, 1))));
    Path other = Files.writeString(dir.resolve("incomplete").resolve("node-b.partial.x"), "theirs");
    assertThat(call(store()::cleanIncomplete)).isEqualTo(1);
    try (var s = Files.list(dir.resolve("incomplete"))) {
      assertThat(s).containsExactly(other);
    }
  }

  @Test
  void aStoreThatCannotWriteSaysSoAsAKindNotAsText() throws Exception {
    // the directory for partial uploads is gone (a disk unmounted under the service, say)
    Files.delete(dir.resolve("incomplete"));
    StoreException e = StoreException.find(catchThrowable(() -> call(() -> store().create("k"))));
    assertThat(e).isNotNull();
    assertThat(e.kind()).isEqualTo(StoreException.Kind.UNAVAILABLE);
    assertThat(e.store()).isEqualTo("file");
    assertThat(e.key()).isEqualTo("k");
  }

  @Test
  void operationsAndBytesAreMeteredPerStore() {
    write("m1", random(70_000, 5));
    read("m1", ByteRange.ALL);
    assertMissing("m2");
    String scrape = meters.scrape();
    assertThat(scrape).contains("imago_store_written_bytes_total{store=\"file\"} 70000.0");
    assertThat(scrape).contains("imago_store_read_bytes_total{store=\"file\"} 70000.0");
    assertThat(scrape).contains("imago_store_operation_duration_seconds_count{operation=\"commit\",outcome=\"ok\",store=\"file\"} 1");
    assertThat(scrape).contains("imago_store_operation_duration_seconds_count{operation=\"stat\",outcome=\"not_found\",store=\"file\"} 1");
  }

  @Test
  void theStagingStoreIsAStoreOfTheRegistryButNoTarget() {
    assertThat(registry.staging().id()).isEqualTo(StoreRegistry.STAGING);
    assertThat(registry.get(StoreRegistry.STAGING)).isSameAs(registry.staging());
    assertThat(registry.enabled()).extracting(StoreRegistry.Entry::id).containsExactly("file");
    assertThatThrownBy(() -> registry.enabled(StoreRegistry.STAGING)).isInstanceOf(UnknownStoreException.class);
    assertThatThrownBy(() -> registry.get("nowhere")).isInstanceOf(UnknownStoreException.class);
  }
}
