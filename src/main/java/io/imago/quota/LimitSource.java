package io.imago.quota;

import io.imago.domain.QuotaResource;
import io.vertx.core.Future;
import java.util.Map;

/**
 * Where a project's unified limits come from (spec/security.md §5.2): Imago's configuration, or
 * Keystone's limits API. Enforcement and usage counting do not care which.
 */
public interface LimitSource {
  /**
   * The limits of a project. A resource missing from the map is unlimited; a limit of 0 allows
   * nothing. Sizes are in MiB, counts are counts, as Keystone registers them for Glance.
   */
  Future<Map<QuotaResource, Long>> limitsFor(String projectId);
}
