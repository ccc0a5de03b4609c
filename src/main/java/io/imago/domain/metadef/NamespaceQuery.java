package io.imago.domain.metadef;

import java.util.List;
import java.util.Set;

/**
 * A page of {@code GET /v2/metadefs/namespaces} (spec/metadefs.md §2): sorted by {@code sortKey}
 * then {@code created_at} then insertion order, in one direction; after the namespace named
 * {@code marker}; only {@code visibility} when set; only namespaces associated with one of
 * {@code resourceTypes} when not empty.
 */
public record NamespaceQuery(int limit, Namespace marker, String sortKey, boolean ascending, String visibility,
    List<String> resourceTypes) {
  /** The columns a list may be sorted by (Glance's namespace table). */
  public static final Set<String> SORT_KEYS = Set.of("namespace", "display_name", "description", "visibility",
      "protected", "owner", "created_at", "updated_at", "id");

  public NamespaceQuery {
    resourceTypes = List.copyOf(resourceTypes);
    if (!SORT_KEYS.contains(sortKey)) {
      throw new IllegalArgumentException("sortKey: " + sortKey);
    }
  }
}
