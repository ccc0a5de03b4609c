package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * The whole configuration of one Imago node, loaded once at start by {@link ConfigLoader} and
 * passed to constructors. Every option is documented in {@code conf/imago.yaml}.
 *
 * <p>One component per section of the file; {@link #read} is the one place that lists how they are
 * read (see {@code package-info.java} for adding one).
 *
 * @param dataDir where the embedded database, the file store and other node state live
 * @param nodeId this node's name: recorded on uploads in progress so that a restart of this node
 *     (and only this node) can reset the ones it was running when it died
 * @param cache the node image cache (off unless {@code cache.image_cache_dir} is set)
 * @param quotas per-project quotas: legacy {@code user_storage_quota} and unified limits
 * @param metadefs the metadata definitions catalog: API limits, catalog loaded at first start
 */
public record ImagoConfig(
    Path dataDir,
    String nodeId,
    HttpConfig http,
    DatabaseConfig database,
    StoreConfig store,
    CacheConfig cache,
    ImagesConfig images,
    AuthConfig auth,
    PolicyConfig policy,
    WorkerConfig workers,
    LoggingConfig logging,
    QuotaConfig quotas,
    MetadefsConfig metadefs) {

  public ImagoConfig {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(nodeId, "nodeId");
    if (nodeId.isBlank() || nodeId.length() > 64) {
      throw new ConfigException("node_id: '" + nodeId + "' (expected: 1 to 64 characters)");
    }
  }

  /**
   * Reads every section from {@code t}, in this order: the order in which options are read is the
   * order of {@code conf/imago.yaml}, of {@code imago config}'s output and of
   * {@link ConfigLoader#optionPaths()}. Each section's record reads its own options with their
   * defaults; {@code data_dir} comes first because the sections' relative paths resolve against it.
   */
  static ImagoConfig read(ConfigTree t) {
    Path dataDir = Path.of(t.string("data_dir", "data")).toAbsolutePath().normalize();
    return new ImagoConfig(
        dataDir,
        t.string("node_id", defaultNodeId()),
        HttpConfig.read(t, dataDir),
        DatabaseConfig.read(t, dataDir),
        StoreConfig.read(t, dataDir),
        CacheConfig.read(t, dataDir),
        ImagesConfig.read(t),
        AuthConfig.read(t),
        PolicyConfig.read(t, dataDir),
        WorkerConfig.read(t),
        LoggingConfig.read(t),
        QuotaConfig.read(t),
        MetadefsConfig.read(t, dataDir));
  }

  /** {@code node_id}'s default: the host name ({@code HOSTNAME}, else the resolver's), at most 64 characters. */
  private static String defaultNodeId() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.length() > 64 ? fromEnv.substring(0, 64) : fromEnv;
    }
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return h.length() > 64 ? h.substring(0, 64) : h;
    } catch (IOException e) {
      return "imago";
    }
  }
}
