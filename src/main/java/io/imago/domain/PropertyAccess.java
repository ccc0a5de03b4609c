package io.imago.domain;

/**
 * What one caller may do with each custom property under Glance's property protections
 * (spec/security.md §2). Built per request by {@code policy.PropertyProtections}.
 */
public interface PropertyAccess {
  /** The four operations a protection file grants. */
  enum Op {
    CREATE,
    READ,
    UPDATE,
    DELETE
  }

  /** No protections configured: everything is allowed. */
  PropertyAccess ALL = (key, op) -> true;

  boolean allows(String key, Op op);

  default boolean mayRead(String key) {
    return allows(key, Op.READ);
  }
}
