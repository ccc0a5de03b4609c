package io.imago.config;

import static java.util.Objects.requireNonNull;

import io.imago.domain.QuotaResource;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-project quotas (spec/security.md §5, images-api.md §6): Glance's legacy
 * {@code user_storage_quota}, and the four unified limits, read from Keystone
 * ({@code use_keystone_limits}) or from this configuration ({@code limits.enabled}).
 *
 * @param userStorageQuota {@code user_storage_quota} in bytes: the most image data (size × locations)
 *     a project may hold; 0 = off. Ignored while unified limits are on, as in Glance.
 * @param useKeystoneLimits {@code use_keystone_limits}: unified limits come from Keystone
 * @param limitsEnabled unified limits come from {@link #defaults} and {@link #projects}
 * @param defaults every project's limit by resource ({@link #UNLIMITED} = none); sizes in MiB
 * @param projects per-project overrides of {@link #defaults}; a project lists only what it overrides
 */
public record QuotaConfig(
    long userStorageQuota,
    boolean useKeystoneLimits,
    boolean limitsEnabled,
    Map<QuotaResource, Long> defaults,
    Map<String, Map<QuotaResource, Long>> projects) {

  /** A limit value meaning "no limit" (0 means "nothing allowed", as in Keystone). */
  public static final long UNLIMITED = -1;

  public QuotaConfig {
    requireNonNull(defaults, "defaults");
    requireNonNull(projects, "projects");
    if (userStorageQuota < 0) {
      throw new ConfigException("quotas.user_storage_quota: " + userStorageQuota + " (expected: >= 0)");
    }
    defaults = copy("quotas.limits.default", defaults);
    Map<String, Map<QuotaResource, Long>> p = new LinkedHashMap<>();
    projects.forEach((project, limits) -> p.put(project, copy("quotas.limits.projects." + project, limits)));
    projects = Collections.unmodifiableMap(p);
  }

  /**
   * {@code quotas.*} and their defaults (all off, every limit {@link #UNLIMITED}): the legacy
   * storage quota, the unified-limit switches, the default limits and the per-project overrides
   * ({@code quotas.limits.projects.<project id>.<resource>}), whose resource names are checked here
   * because the section's keys are not known in advance.
   */
  static QuotaConfig read(ConfigTree t) {
    long userStorageQuota = t.bytes("quotas.user_storage_quota", 0);
    boolean useKeystoneLimits = t.bool("quotas.use_keystone_limits", false);
    boolean limitsEnabled = t.bool("quotas.limits.enabled", false);
    Map<QuotaResource, Long> defaults = new EnumMap<>(QuotaResource.class);
    for (QuotaResource r : QuotaResource.values()) {
      defaults.put(r, t.longValue("quotas.limits.default." + r.resourceName(), UNLIMITED));
    }
    Map<String, Map<QuotaResource, Long>> projects = new LinkedHashMap<>();
    for (String project : t.keys("quotas.limits.projects")) {
      String section = "quotas.limits.projects." + project;
      Map<QuotaResource, Long> limits = new EnumMap<>(QuotaResource.class);
      for (String name : t.keys(section)) {
        QuotaResource r = QuotaResource.byName(name).orElseThrow(() -> new ConfigException(section + "." + name
            + ": unknown quota resource (expected: image_size_total, image_stage_total, image_count_total,"
            + " image_count_uploading)"));
        limits.put(r, t.longValue(section + "." + name, UNLIMITED));
      }
      projects.put(project, limits);
    }
    return new QuotaConfig(userStorageQuota, useKeystoneLimits, limitsEnabled, defaults, projects);
  }

  /** Quotas off: Glance's defaults. */
  public static QuotaConfig off() {
    return new QuotaConfig(0, false, false, Map.of(), Map.of());
  }

  /** Whether unified limits are enforced (from Keystone or from the configuration). */
  public boolean unifiedLimits() {
    return useKeystoneLimits || limitsEnabled;
  }

  /** Whether the legacy {@code user_storage_quota} is enforced: set, and unified limits off. */
  public boolean legacyStorageQuota() {
    return userStorageQuota > 0 && !unifiedLimits();
  }

  private static Map<QuotaResource, Long> copy(String path, Map<QuotaResource, Long> limits) {
    Map<QuotaResource, Long> out = new EnumMap<>(QuotaResource.class);
    limits.forEach((r, v) -> {
      if (v < UNLIMITED) {
        throw new ConfigException(path + "." + r.resourceName() + ": " + v + " (expected: -1 for unlimited, or >= 0)");
      }
      out.put(r, v);
    });
    return Collections.unmodifiableMap(out);
  }
}
