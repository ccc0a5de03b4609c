package io.imago.store;

/**
 * A store id that no configured store has. Not a store failure: the caller named something that
 * does not exist, which Glance answers differently by place (400 on upload, 409 on delete from a
 * store), so the API maps it where it is raised.
 */
public final class UnknownStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String id;

  public UnknownStoreException(String id) {
    super("unknown store: " + id, null, false, false);
    this.id = id;
  }

  public String id() {
    return id;
  }
}
