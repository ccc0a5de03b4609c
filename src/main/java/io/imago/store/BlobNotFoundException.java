package io.imago.store;

/** No blob under a key. */
public final class BlobNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BlobNotFoundException(String store, String key) {
    super("store " + store + ": no blob " + key, null, false, false);
  }
}
