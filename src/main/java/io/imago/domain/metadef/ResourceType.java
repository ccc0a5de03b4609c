package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A resource type ({@code OS::Glance::Image}…), global, created by the first association that
 * names it (spec/metadefs.md §6).
 */
public record ResourceType(String name, boolean isProtected, Instant createdAt, Instant updatedAt) {
  public ResourceType {
    requireNonNull(name, "name");
  }
}
