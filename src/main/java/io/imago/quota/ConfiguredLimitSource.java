package io.imago.quota;

import io.imago.config.QuotaConfig;
import io.imago.domain.QuotaResource;
import io.vertx.core.Future;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Unified limits from Imago's configuration ({@code quotas.limits}): the default limits, replaced
 * resource by resource by a project's own entry, like Keystone's registered limits and project
 * limits (spec/security.md §5.2). A limit of -1 is no limit and is left out of the result.
 */
public final class ConfiguredLimitSource implements LimitSource {
  private final Map<QuotaResource, Long> defaults;
  private final Map<String, Map<QuotaResource, Long>> projects;

  public ConfiguredLimitSource(QuotaConfig config) {
    this.defaults = config.defaults();
    this.projects = config.projects();
  }

  @Override
  public Future<Map<QuotaResource, Long>> limitsFor(String projectId) {
    return Future.succeededFuture(resolve(projectId));
  }

  /** The limits in force for {@code projectId}: its overrides, else the defaults; unlimited ones omitted. */
  Map<QuotaResource, Long> resolve(String projectId) {
    Map<QuotaResource, Long> own = projectId == null ? Map.of() : projects.getOrDefault(projectId, Map.of());
    Map<QuotaResource, Long> out = new EnumMap<>(QuotaResource.class);
    for (QuotaResource r : QuotaResource.values()) {
      Long limit = own.containsKey(r) ? own.get(r) : defaults.get(r);
      if (limit != null && limit != QuotaConfig.UNLIMITED) {
        out.put(r, limit);
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
