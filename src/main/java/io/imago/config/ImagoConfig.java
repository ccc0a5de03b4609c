package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The whole configuration of one Imago node, loaded once at start by {@link ConfigLoader} and
 * passed to constructors. Every option is documented in {@code conf/imago.yaml}.
 *
 * @param dataDir where the embedded database, the file store and other node state live
 * @param nodeId this node's name: recorded on uploads in progress so that a restart of this node
 *     (and only this node) can reset the ones it was running when it died
 * @param quotas per-project quotas: legacy {@code user_storage_quota} and unified limits
 */
public record ImagoConfig(
    Path dataDir,
    String nodeId,
    HttpConfig http,
    DatabaseConfig database,
    StoreConfig store,
    ImagesConfig images,
    AuthConfig auth,
    PolicyConfig policy,
    WorkerConfig workers,
    LoggingConfig logging,
    QuotaConfig quotas) {

  public ImagoConfig {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(nodeId, "nodeId");
    requireNonNull(http, "http");
    requireNonNull(database, "database");
    requireNonNull(store, "store");
    requireNonNull(images, "images");
    requireNonNull(auth, "auth");
    requireNonNull(policy, "policy");
    requireNonNull(workers, "workers");
    requireNonNull(logging, "logging");
    requireNonNull(quotas, "quotas");
    if (nodeId.isBlank() || nodeId.length() > 64) {
      throw new ConfigException("node_id: '" + nodeId + "' (expected: 1 to 64 characters)");
    }
  }

  public ImagoConfig withHttp(HttpConfig h) {
    return new ImagoConfig(dataDir, nodeId, h, database, store, images, auth, policy, workers, logging, quotas);
  }

  public ImagoConfig withDatabase(DatabaseConfig d) {
    return new ImagoConfig(dataDir, nodeId, http, d, store, images, auth, policy, workers, logging, quotas);
  }

  public ImagoConfig withImages(ImagesConfig i) {
    return new ImagoConfig(dataDir, nodeId, http, database, store, i, auth, policy, workers, logging, quotas);
  }

  public ImagoConfig withAuth(AuthConfig a) {
    return new ImagoConfig(dataDir, nodeId, http, database, store, images, a, policy, workers, logging, quotas);
  }

  public ImagoConfig withPolicy(PolicyConfig p) {
    return new ImagoConfig(dataDir, nodeId, http, database, store, images, auth, p, workers, logging, quotas);
  }

  public ImagoConfig withStore(StoreConfig s) {
    return new ImagoConfig(dataDir, nodeId, http, database, s, images, auth, policy, workers, logging, quotas);
  }

  public ImagoConfig withWorkers(WorkerConfig w) {
    return new ImagoConfig(dataDir, nodeId, http, database, store, images, auth, policy, w, logging, quotas);
  }

  public ImagoConfig withQuotas(QuotaConfig q) {
    return new ImagoConfig(dataDir, nodeId, http, database, store, images, auth, policy, workers, logging, q);
  }
}
