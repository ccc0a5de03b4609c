package io.imago.store;

import static java.util.Objects.requireNonNull;

/**
 * A store operation failed, and why, as a kind the layers above can act on without reading
 * messages: the upload use case answers {@link Kind#NO_SPACE} with 413 and a store that is
 * {@link Kind#UNAVAILABLE} with 503, as Glance does. Each store turns its own failures (I/O
 * exceptions, S3 error codes) into a kind where they happen.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, independent of the store's technology. */
  public enum Kind {
    /** No blob under the key. */
    NOT_FOUND,
    /** The store's medium is full (or a quota of the medium is reached): nothing more fits. */
    NO_SPACE,
    /** The store refuses us access (file permissions, credentials). */
    PERMISSION,
    /** The store takes no new blobs (a read-only store). */
    READ_ONLY,
    /** The store cannot be reached or failed (I/O error, network, server error). */
    UNAVAILABLE,
    /** A blob is not what it should be (shorter than recorded, say). */
    CORRUPT
  }

  private final Kind kind;
  private final String store;
  private final String key;

  public StoreException(Kind kind, String store, String key, String message, Throwable cause) {
    super("store " + store + (key == null ? "" : ", blob " + key) + ": " + message, cause,
        cause != null || kind != Kind.NOT_FOUND, cause != null || kind != Kind.NOT_FOUND);
    this.kind = requireNonNull(kind, "kind");
    this.store = requireNonNull(store, "store");
    this.key = key;
  }

  public Kind kind() {
    return kind;
  }

  /** The id of the store that failed. */
  public String store() {
    return store;
  }

  /** The key the operation was about, or null. */
  public String key() {
    return key;
  }

  /** The store failure in {@code e}'s cause chain, if any. */
  public static StoreException find(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StoreException se) {
        return se;
      }
    }
    return null;
  }
}
