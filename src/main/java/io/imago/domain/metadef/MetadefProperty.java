package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A property definition of a namespace: its name and its JSON-schema fragment as given (without
 * {@code name}), spec/metadefs.md §4.
 */
public record MetadefProperty(String name, Map<String, Object> schema) {
  public MetadefProperty {
    requireNonNull(name, "name");
    requireNonNull(schema, "schema");
  }
}
