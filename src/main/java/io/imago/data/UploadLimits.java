package io.imago.data;

/**
 * What an upload may be.
 *
 * @param maxBytes the most bytes accepted (image_size_cap, quotas)
 * @param declaredSize the size the client announced ({@code x-openstack-image-size} or
 *     {@code Content-Length}), checked against what arrives; -1 when unknown
 */
public record UploadLimits(long maxBytes, long declaredSize) {}
