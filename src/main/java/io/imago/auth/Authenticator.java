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
}
