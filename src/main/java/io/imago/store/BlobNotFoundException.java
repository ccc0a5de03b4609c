package io.imago.store;

/** No blob under a key: the {@link StoreException.Kind#NOT_FOUND} failure, as its own type. */
public final class BlobNotFoundException extends StoreException {
  private static final long serialVersionUID = 1L;

  public BlobNotFoundException(String store, String key) {
    super(Kind.NOT_FOUND, store, key, "no such blob", null);
  }
}
