package io.imago.auth;

import io.imago.domain.Caller;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * Establishes who is calling from a request's headers. Fails with
 * {@link io.imago.domain.ErrorKind#UNAUTHENTICATED} when there is no valid identity.
 */
public interface Authenticator {
  Future<Caller> authenticate(MultiMap headers, String requestId);

  /**
   * The {@code WWW-Authenticate} value every 401 carries, or null for none (keystonemiddleware adds
   * {@code Keystone uri="…"} to every 401, also to those the application produced: spec/keystone.md §2).
   */
  default String wwwAuthenticate() {
    return null;
  }
}
