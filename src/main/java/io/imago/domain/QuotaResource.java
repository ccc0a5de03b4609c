package io.imago.domain;

import java.util.Optional;

/** Glance's unified-limit resources (spec/security.md §5.2), by their Keystone names. */
public enum QuotaResource {
  /** MiB of active and uploading image data a project holds. */
  IMAGE_SIZE_TOTAL("image_size_total"),
  /** MiB of data being staged or imported. */
  IMAGE_STAGE_TOTAL("image_stage_total"),
  /** Images a project has that are not killed or deleted. */
  IMAGE_COUNT_TOTAL("image_count_total"),
  /** Images being uploaded, staged or imported at once. */
  IMAGE_COUNT_UPLOADING("image_count_uploading");

  private final String resourceName;

  QuotaResource(String resourceName) {
    this.resourceName = resourceName;
  }

  /** The name registered in Keystone and reported by {@code GET /v2/info/usage}. */
  public String resourceName() {
    return resourceName;
  }

  /** The resource registered under {@code name}, if any. */
  public static Optional<QuotaResource> byName(String name) {
    for (QuotaResource r : values()) {
      if (r.resourceName.equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
