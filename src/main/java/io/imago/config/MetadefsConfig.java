package io.imago.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The metadata definitions catalog (spec/metadefs.md): limits against abuse of its API (the
 * security note of §7, OSSN-0088; Glance has none) and the catalog loaded at first start.
 *
 * @param namespacesPerProject namespaces a project may own through the API, -1 = unlimited
 * @param objectsPerNamespace objects one namespace may hold through the API, -1 = unlimited
 * @param propertiesPerNamespace properties one namespace may hold through the API, -1 = unlimited
 * @param tagsPerNamespace tags one namespace may hold through the API, -1 = unlimited
 * @param loadDir a directory of Glance definition files ({@code glance-manage db_load_metadefs}
 *     format) loaded when the catalog is empty at start; null = none
 */
public record MetadefsConfig(int namespacesPerProject, int objectsPerNamespace, int propertiesPerNamespace,
    int tagsPerNamespace, Path loadDir) {
  public MetadefsConfig {
    Map<String, Integer> limits = Map.of("namespaces_per_project", namespacesPerProject, "objects_per_namespace",
        objectsPerNamespace, "properties_per_namespace", propertiesPerNamespace, "tags_per_namespace", tagsPerNamespace);
    limits.forEach((name, v) -> {
      if (v < -1) {
        throw new ConfigException("metadefs." + name + ": " + v + " (expected: -1 for unlimited, or >= 0)");
      }
    });
  }

  /** {@code metadefs.*} and their defaults. */
  static MetadefsConfig read(ConfigTree t, Path dataDir) {
    return new MetadefsConfig(
        t.integer("metadefs.namespaces_per_project", 256),
        t.integer("metadefs.objects_per_namespace", 256),
        t.integer("metadefs.properties_per_namespace", 512),
        t.integer("metadefs.tags_per_namespace", 512),
        t.path("metadefs.load_dir", null, dataDir));
  }
}
