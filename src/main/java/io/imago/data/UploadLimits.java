package io.imago.data;

import java.util.function.LongFunction;

/**
 * What an upload may be.
 *
 * @param maxBytes the most bytes accepted (image_size_cap)
 * @param declaredSize the size the client announced ({@code x-openstack-image-size} or
 *     {@code Content-Length}), checked against what arrives; -1 when unknown
 * @param quotaBytes the most bytes the project's storage quota leaves ({@code Long.MAX_VALUE}: none)
 * @param overQuota the failure of an upload that passes {@code quotaBytes}, given the bytes received
 */
public record UploadLimits(long maxBytes, long declaredSize, long quotaBytes, LongFunction<RuntimeException> overQuota) {

  /** No quota: only the size cap. */
  public UploadLimits(long maxBytes, long declaredSize) {
    this(maxBytes, declaredSize, Long.MAX_VALUE, n -> new IllegalStateException("no quota"));
  }
}
