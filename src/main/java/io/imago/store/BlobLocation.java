package io.imago.store;

import static java.util.Objects.requireNonNull;

/**
 * Where a committed blob is: the store's id and the blob's key, and its size. What the upload use
 * case records as the image's location; the URL clients see is rendered from it by the store at
 * display time ({@link BlobStore#url}).
 */
public record BlobLocation(String store, String key, long size) {
  public BlobLocation {
    requireNonNull(store, "store");
    requireNonNull(key, "key");
    if (size < 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 0)");
    }
  }
}
