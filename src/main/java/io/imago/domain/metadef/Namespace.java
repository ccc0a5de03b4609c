package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A metadata definitions namespace (spec/metadefs.md §1, §2), without its children.
 *
 * @param id the database key (never shown: Glance exposes namespaces by name)
 * @param visibility {@code public} or {@code private}; null only for definitions loaded from files
 *     that name none, which then behave as private
 * @param isProtected null only for such loaded definitions (then: not protected)
 * @param owner the owning project; null for loaded definitions without one (visible to everyone,
 *     as in Glance)
 */
public record Namespace(long id, String namespace, String displayName, String description, String visibility,
    Boolean isProtected, String owner, Instant createdAt, Instant updatedAt) {
  public Namespace {
    requireNonNull(namespace, "namespace");
  }

  public boolean isPublic() {
    return "public".equals(visibility);
  }

  public boolean protectedNow() {
    return Boolean.TRUE.equals(isProtected);
  }
}
