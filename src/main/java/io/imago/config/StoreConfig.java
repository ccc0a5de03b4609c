package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Image data stores.
 *
 * @param fileDir Glance's {@code filesystem_store_datadir}: where the file store keeps image data
 */
public record StoreConfig(Path fileDir) {
  public StoreConfig {
    requireNonNull(fileDir, "fileDir");
  }

  /** {@code store.*} and their defaults: the file store's directory, in {@code dataDir} unless absolute. */
  static StoreConfig read(ConfigTree t, Path dataDir) {
    return new StoreConfig(t.path("store.file.filesystem_store_datadir", "images", dataDir));
  }
}
