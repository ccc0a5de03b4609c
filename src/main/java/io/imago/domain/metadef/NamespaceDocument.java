package io.imago.domain.metadef;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A namespace with everything it holds: what {@code POST /v2/metadefs/namespaces} may create in
 * one call, what a catalog file (glance-manage's format) holds, and what an export writes.
 */
public record NamespaceDocument(Namespace namespace, List<Association> associations,
    List<MetadefProperty> properties, List<MetadefObject> objects, List<MetadefTag> tags) {
  public NamespaceDocument {
    requireNonNull(namespace, "namespace");
    associations = List.copyOf(associations);
    properties = List.copyOf(properties);
    objects = List.copyOf(objects);
    tags = List.copyOf(tags);
  }
}
