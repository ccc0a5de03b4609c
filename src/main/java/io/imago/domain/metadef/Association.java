package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A namespace's association with a resource type: the {@code prefix} its properties take on
 * that resource ({@code hw_}) and the {@code properties_target} (spec/metadefs.md §6).
 */
public record Association(String name, String prefix, String propertiesTarget, Instant createdAt,
    Instant updatedAt) {
  public Association {
    requireNonNull(name, "name");
  }
}
