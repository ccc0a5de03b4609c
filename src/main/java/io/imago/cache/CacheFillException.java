package io.imago.cache;

/** Why a cache fill failed: the store's data did not match the image, or the cache could not keep it. */
public final class CacheFillException extends RuntimeException {
  CacheFillException(String message) {
    super(message, null, false, false);
  }

  CacheFillException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
