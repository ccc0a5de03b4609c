package io.imago.auth;

import io.imago.domain.Caller;

/** The policy's {@code context_is_admin}: whether a caller is an admin ({@code app} passes {@code policy::isAdmin}). */
@FunctionalInterface
public interface AdminCheck {
  boolean isAdmin(Caller caller);
}
