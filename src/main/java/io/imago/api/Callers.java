package io.imago.api;

import io.imago.auth.Authenticator;
import io.imago.domain.Caller;
import io.imago.domain.ImagoException;
import io.vertx.ext.web.RoutingContext;

/** The authenticated {@link Caller} of a request, as a route step and an accessor. */
public final class Callers {
  private static final String KEY = "imago.caller";

  private Callers() {}

  /**
   * Route step: pauses the request (its body must not be lost while we authenticate), then
   * authenticates and continues. The next step resumes the body or pipes it.
   */
  public static void authenticate(RoutingContext rc, Authenticator authenticator) {
    rc.request().pause();
    authenticator.authenticate(rc.request().headers(), RequestIds.get(rc))
        .onSuccess(caller -> {
          rc.put(KEY, caller);
          rc.next();
        })
        .onFailure(rc::fail);
  }

  public static Caller get(RoutingContext rc) {
    Caller c = rc.get(KEY);
    if (c == null) {
      throw new IllegalStateException("no caller: route without authentication step");
    }
    return c;
  }

  /** Fails with 403 for an anonymous, read-only caller. */
  public static Caller writer(RoutingContext rc) {
    Caller c = get(rc);
    if (c.readOnly()) {
      throw ImagoException.forbidden("Read-only access");
    }
    return c;
  }
}
