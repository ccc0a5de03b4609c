package io.imago.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per HTTP request ({@code logging.access_log}), on the logger {@code io.imago.access}
 * when the response has ended: method, path, status, bytes sent, duration, request id and the
 * client's address. Like the rest of Imago's logs it has key/value fields, so the JSON format
 * carries them as JSON fields.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.imago.access");
  private static final String KEY = "imago.accessLogged";

  private AccessLog() {}

  /** First route handler; registers the line and continues (synchronous, reads no body). */
  static void handle(RoutingContext rc) {
    if (rc.get(KEY) == null) { // a reroute (/v2.1/… → /v2/…) runs the handlers again
      rc.put(KEY, Boolean.TRUE);
      long t0 = System.nanoTime();
      rc.addEndHandler(ar -> log(rc, t0));
    }
    rc.next();
  }

  private static void log(RoutingContext rc, long t0) {
    HttpServerRequest req = rc.request();
    HttpServerResponse resp = rc.response();
    LOG.atInfo().setMessage("request")
        .addKeyValue("method", req.method().name())
        .addKeyValue("path", req.path())
        .addKeyValue("status", resp.getStatusCode())
        .addKeyValue("bytes", resp.bytesWritten())
        .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000)
        .addKeyValue("request_id", RequestIds.get(rc))
        .addKeyValue("remote", req.remoteAddress() == null ? null : req.remoteAddress().hostAddress())
        .log();
  }
}
