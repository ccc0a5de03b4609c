package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A tag of a namespace; names are unique per namespace regardless of case (spec/metadefs.md §5). */
public record MetadefTag(String name, Instant createdAt, Instant updatedAt) {
  public MetadefTag {
    requireNonNull(name, "name");
  }
}
