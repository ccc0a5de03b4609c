package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An object of a namespace: a named group of property fragments (spec/metadefs.md §3).
 *
 * @param required property names, possibly null (loaded definitions without it)
 * @param properties name → property fragment as given, possibly null
 */
public record MetadefObject(String name, String description, List<String> required,
    Map<String, Object> properties, Instant createdAt, Instant updatedAt) {
  public MetadefObject {
    requireNonNull(name, "name");
  }
}
