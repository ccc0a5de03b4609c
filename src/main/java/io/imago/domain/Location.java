package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * Where an image's bytes are: a store id and the key the store gave them. The URL clients see
 * ({@code direct_url}, {@code locations}) is rendered from these by the store at display time, so
 * moving a data directory does not rewrite the database.
 */
public record Location(String store, String key, Map<String, String> metadata) {
  public Location {
    requireNonNull(store, "store");
    requireNonNull(key, "key");
    metadata = Map.copyOf(metadata);
  }
}
