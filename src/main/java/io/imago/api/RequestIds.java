package io.imago.api;

import io.imago.domain.ImagoException;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * {@code x-openstack-request-id}: echoed from the client's {@code X-Openstack-Request-Id} (with
 * {@code req-} prepended when missing) or generated, set on every {@code /v2} response, including
 * errors (spec/keystone.md §6).
 */
public final class RequestIds {
  public static final String HEADER = "X-Openstack-Request-Id";
  static final int MAX_LENGTH = 64;
  private static final String KEY = "imago.requestId";

  private RequestIds() {}

  /** Route handler: assigns the id and arranges for the response header. Synchronous. */
  public static void assign(RoutingContext rc) {
    String incoming = rc.request().getHeader(HEADER);
    String id = "req-" + UUID.randomUUID();
    ImagoException tooLong = null;
    if (incoming != null && !incoming.isEmpty()) {
      if (incoming.length() > MAX_LENGTH) {
        tooLong = ImagoException.badRequest("%s is longer than %d characters", HEADER, MAX_LENGTH);
      } else {
        id = incoming.startsWith("req-") ? incoming : "req-" + incoming;
      }
    }
    rc.put(KEY, id);
    ConnectionGuard.requestId(rc.request(), id); // for what the connection itself logs (a malformed body)
    String header = id;
    rc.addHeadersEndHandler(v -> rc.response().headers().set(HEADER, header));
    if (tooLong != null) {
      rc.fail(tooLong);
      return;
    }
    rc.next();
  }

  /** The request's id, or null before {@link #assign} ran (unversioned paths). */
  public static String get(RoutingContext rc) {
    return rc.get(KEY);
  }
}
