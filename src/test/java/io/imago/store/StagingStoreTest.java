package io.imago.store;

import io.imago.config.ConfigLoader;
import io.imago.config.WorkerConfig;
import io.imago.metrics.Metrics;
import io.imago.store.file.FileBlobStore;
import io.imago.worker.Pools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the staging store ({@code os_glance_staging_store}) as the registry builds it. */
class StagingStoreTest extends BlobStoreContract {
  @TempDir
  Path dataDir;

  private Vertx vertx;
  private Pools pools;
  private StoreRegistry registry;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    pools = new Pools(vertx, new WorkerConfig(1, 4, 2));
    registry = StoreRegistry.open(ConfigLoader.defaults(Map.of("data_dir", dataDir.toString())).store(),
        Map.of("file", FileBlobStore.type(vertx, pools, "node-a")),
        new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
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
    return registry.staging();
  }
}
