package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where metadata lives.
 *
 * @param url an external PostgreSQL ({@code postgresql://user:password@host:port/database}); when
 *     null Imago starts its own embedded PostgreSQL ({@code IMAGO_DATABASE_URL})
 * @param poolSize connections in the pool
 * @param embeddedDir data directory of the embedded PostgreSQL
 * @param embeddedPort loopback port of the embedded PostgreSQL; 0 picks a free one at each start
 * @param embeddedFsync fsync for the embedded PostgreSQL; only tests turn it off
 */
public record DatabaseConfig(String url, int poolSize, Path embeddedDir, int embeddedPort, boolean embeddedFsync) {
  public DatabaseConfig {
    requireNonNull(embeddedDir, "embeddedDir");
    if (poolSize < 1 || poolSize > 1000) {
      throw new ConfigException("database.pool_size: " + poolSize + " (expected: 1..1000)");
    }
    if (embeddedPort < 0 || embeddedPort > 65535) {
      throw new ConfigException("database.embedded.port: " + embeddedPort + " (expected: 0..65535)");
    }
  }

  public boolean embedded() {
    return url == null;
  }

  /** {@code database.*} and their defaults; the embedded cluster's directory is in {@code dataDir}. */
  static DatabaseConfig read(ConfigTree t, Path dataDir) {
    return new DatabaseConfig(
        t.string("database.url", null),
        t.integer("database.pool_size", 16),
        t.path("database.embedded.dir", "postgres", dataDir),
        t.integer("database.embedded.port", 0),
        t.bool("database.embedded.fsync", true));
  }
}
