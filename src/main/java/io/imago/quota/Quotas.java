package io.imago.quota;

import io.imago.config.QuotaConfig;
import io.imago.db.ImageRepository;
import io.imago.db.UsageRepository.Usage;
import io.imago.db.UsageRepository;
import io.imago.domain.Image;
import io.imago.domain.ImagoException;
import io.imago.domain.QuotaResource;
import io.vertx.core.Future;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Quota enforcement (spec/security.md §5, images-api.md §6): the unified limits (from a
 * {@link LimitSource}) while they are on, otherwise the legacy {@code user_storage_quota}.
 *
 * <p>As in Glance, the project charged is the caller's ({@code context.owner}), and a check is
 * "usage + delta > limit → 413" with oslo.limit's message. Under concurrency: creates are exact
 * (the count and the insert share a transaction holding a per-project advisory lock); uploads are
 * best effort like Glance's (the uploading count is taken after the image turned {@code saving},
 * so parallel uploads refuse each other rather than overshoot; the storage quota is re-checked
 * with the real size before the image is published).
 */
public final class Quotas {
  /** One MiB: unified size limits and usages are in MiB, as Keystone registers them for Glance. */
  public static final long MIB = 1L << 20;
  /** Returned by the upload checks when no quota bounds the upload. */
  public static final long NO_QUOTA = Long.MAX_VALUE;

  private final QuotaConfig config;
  private final LimitSource limits;
  private final UsageRepository usage;
  private final ImageRepository images;

  public Quotas(QuotaConfig config, LimitSource limits, UsageRepository usage, ImageRepository images) {
    this.config = config;
    this.limits = limits;
    this.usage = usage;
    this.images = images;
  }

  /** Whether unified limits are enforced (and reported by {@code GET /v2/info/usage}). */
  public boolean unifiedLimits() {
    return config.unifiedLimits();
  }

  /**
   * {@code POST /v2/images}: inserts {@code image} unless {@code image_count_total} of
   * {@code projectId} would be exceeded (delta 1). Glance checks, then inserts; here the two share a
   * transaction under the project's lock, so parallel creates cannot overshoot the limit.
   */
  public Future<Image> create(String projectId, Image image) {
    if (!config.unifiedLimits()) {
      return images.insert(image);
    }
    return limits.limitsFor(projectId).compose(l -> {
      Long limit = l.get(QuotaResource.IMAGE_COUNT_TOTAL);
      if (limit == null) {
        return images.insert(image);
      }
      return images.insert(image, tx -> usage.lockProject(tx, projectId)
          .compose(v -> usage.usage(tx, projectId))
          .compose(u -> enforce(projectId, QuotaResource.IMAGE_COUNT_TOTAL, limit, u.imageCount(), 1)));
    });
  }

  /**
   * {@code PUT /file}, first of all (as Glance): {@code image_size_total} with the declared size in
   * MiB as delta (rounded up, so that an accepted upload cannot take the usage over the limit); an
   * upload of unknown size is refused only when the project is already over.
   */
  public Future<Void> checkUploadSize(String projectId, long declaredBytes) {
    if (!config.unifiedLimits()) {
      return Future.succeededFuture();
    }
    return limits.limitsFor(projectId).compose(l -> {
      Long limit = l.get(QuotaResource.IMAGE_SIZE_TOTAL);
      if (limit == null) {
        return Future.succeededFuture();
      }
      long delta = declaredBytes < 0 ? 0 : ceilMib(declaredBytes);
      return usage.usage(projectId).compose(u ->
          enforce(projectId, QuotaResource.IMAGE_SIZE_TOTAL, limit, u.storedBytes() / MIB, delta));
    });
  }

  /**
   * {@code PUT /file} once the image is {@code saving}: {@code image_count_uploading} with delta 0
   * (the image now counts itself, as in Glance), or else the legacy {@code user_storage_quota}:
   * a declared size larger than what remains, or no room left at all, is refused. Returns how many
   * bytes the upload may store ({@link #NO_QUOTA} when unbounded): the stream stops with a 413 past
   * it.
   */
  public Future<Long> checkUploadStarted(String projectId, String imageId, long declaredBytes) {
    if (config.unifiedLimits()) {
      return limits.limitsFor(projectId).compose(l -> {
        Long limit = l.get(QuotaResource.IMAGE_COUNT_UPLOADING);
        if (limit == null) {
          return Future.succeededFuture(NO_QUOTA);
        }
        return usage.usage(projectId).compose(u ->
            enforce(projectId, QuotaResource.IMAGE_COUNT_UPLOADING, limit, u.uploadingCount(), 0)).map(NO_QUOTA);
      });
    }
    if (!config.legacyStorageQuota()) {
      return Future.succeededFuture(NO_QUOTA);
    }
    return remaining(projectId, imageId).compose(remaining -> {
      if (declaredBytes >= 0 ? declaredBytes > remaining : remaining <= 0) {
        return Future.failedFuture(storageQuotaFull(declaredBytes < 0 ? null : declaredBytes, remaining));
      }
      return Future.succeededFuture(remaining);
    });
  }

  /**
   * After the data is stored, before the image is published: Glance's second
   * {@code user_storage_quota} check with the real size, which catches parallel uploads that each
   * fitted alone.
   */
  public Future<Void> recheckStored(String projectId, String imageId, long size) {
    if (!config.legacyStorageQuota()) {
      return Future.succeededFuture();
    }
    return remaining(projectId, imageId).compose(remaining -> size > remaining
        ? Future.failedFuture(storageQuotaFull(size, remaining))
        : Future.succeededFuture());
  }

  /**
   * Glance's {@code StorageQuotaFull} as {@code PUT /file} answers it (413): "Image exceeds the
   * storage quota: The size of the data … will exceed the limit. … bytes remaining." A null size is
   * an upload of unknown length, which Glance prints as {@code None}.
   */
  public static ImagoException storageQuotaFull(Long size, long remaining) {
    return ImagoException.tooLarge("Image exceeds the storage quota: The size of the data %s will exceed the limit."
        + " %d bytes remaining.", size == null ? "None" : size.toString(), remaining);
  }

  /**
   * {@code GET /v2/info/usage}: limit and usage of every resource for {@code projectId}, empty
   * while unified limits are off. A resource without a limit reports {@code -1}.
   */
  public Future<Map<QuotaResource, ResourceUsage>> usage(String projectId) {
    if (!config.unifiedLimits()) {
      return Future.succeededFuture(Map.of());
    }
    return limits.limitsFor(projectId).compose(l -> usage.usage(projectId).map(u -> {
      Map<QuotaResource, ResourceUsage> out = new EnumMap<>(QuotaResource.class);
      for (QuotaResource r : QuotaResource.values()) {
        out.put(r, new ResourceUsage(l.getOrDefault(r, QuotaConfig.UNLIMITED), used(r, u)));
      }
      return Collections.unmodifiableMap(out);
    }));
  }

  /** A resource's limit ({@code -1} = none) and current usage, in its unit (MiB or count). */
  public record ResourceUsage(long limit, long usage) {}

  private static long used(QuotaResource r, Usage u) {
    return switch (r) {
      case IMAGE_SIZE_TOTAL -> u.storedBytes() / MIB;
      case IMAGE_STAGE_TOTAL -> u.stagedBytes() / MIB;
      case IMAGE_COUNT_TOTAL -> u.imageCount();
      case IMAGE_COUNT_UPLOADING -> u.uploadingCount();
    };
  }

  private Future<Long> remaining(String projectId, String imageId) {
    return usage.storedBytesExcept(projectId, imageId).map(stored -> config.userStorageQuota() - stored);
  }

  static long ceilMib(long bytes) {
    return bytes / MIB + (bytes % MIB == 0 ? 0 : 1);
  }

  /** oslo.limit's {@code enforce}: over when usage + delta > limit. */
  static Future<Void> enforce(String projectId, QuotaResource r, long limit, long current, long delta) {
    if (current + delta > limit) {
      return Future.failedFuture(overLimit(projectId, r, limit, current, delta));
    }
    return Future.succeededFuture();
  }

  /**
   * Glance's {@code LimitExceeded} wrapping oslo.limit's {@code ProjectOverLimit}, the text every
   * unified-limit 413 carries.
   */
  static ImagoException overLimit(String projectId, QuotaResource r, long limit, long current, long delta) {
    return ImagoException.tooLarge("The request returned a 413 Request Entity Too Large. This generally means that"
        + " rate limiting or a quota threshold was breached.\n\nThe response body:\nProject %s is over a limit for"
        + " [Resource %s is over limit of %d due to current usage %d and delta %d]",
        projectId, r.resourceName(), limit, current, delta);
  }
}
