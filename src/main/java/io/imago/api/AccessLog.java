package io.imago.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per HTTP request ({@code logging.access_log}), on the logger {@code io.imago.access}
 * when the response has ended or its connection closed: method, path, the status and body bytes
 * really sent, the outcome ({@code sent}, {@code closed_during_response}, {@code
 * closed_without_response}), why the connection answered on its own if it did, duration, request id
 * and the client's address. Like the rest of Imago's logs it has key/value fields, so the JSON format
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

  /**
   * What was really sent: Vert.x's response knows what the application wrote, the connection's
   * guard what went out on the socket. They differ when the guard answered itself (a malformed
   * body: its 400) or the connection closed before the response was complete (then the status
   * line sent, if any — {@code status=0} for none — and the body bytes the socket took).
   */
  private static void log(RoutingContext rc, long t0) {
    HttpServerRequest req = rc.request();
    HttpServerResponse resp = rc.response();
    ConnectionGuard.Exchange x = ConnectionGuard.exchange(req);
    boolean cut = resp.closed() && (x == null || !x.complete());
    boolean byGuard = x != null && x.byGuard;
    int status;
    long bytes;
    String outcome;
    if (byGuard || (cut && x != null)) {
      status = x.status();
      bytes = x.bodyBytes();
      outcome = x.complete() ? "sent" : status == 0 ? "closed_without_response" : "closed_during_response";
    } else if (cut) {
      status = resp.headWritten() ? resp.getStatusCode() : 0;
      bytes = 0;
      outcome = status == 0 ? "closed_without_response" : "closed_during_response";
    } else {
      status = resp.getStatusCode();
      bytes = resp.bytesWritten();
      outcome = "sent";
    }
    var event = LOG.atInfo().setMessage("request")
        .addKeyValue("method", req.method().name())
        .addKeyValue("path", req.path())
        .addKeyValue("status", status)
        .addKeyValue("bytes", bytes)
        .addKeyValue("outcome", outcome);
    if (x != null && x.error() != null) {
      event = event.addKeyValue("error", x.error());
    }
    event
        .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000)
        .addKeyValue("request_id", RequestIds.get(rc))
        .addKeyValue("remote", req.remoteAddress() == null ? null : req.remoteAddress().hostAddress())
        .log();
  }
}
