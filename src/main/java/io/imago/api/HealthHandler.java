package io.imago.api;

import io.imago.db.DatabaseHealth;
import io.imago.domain.ImagoException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code /healthcheck} as oslo.middleware serves it for Glance (spec/keystone.md §7): no auth,
 * {@code OK}, and 503 {@code DISABLED BY FILE} while the operator's disable file exists so a load
 * balancer drains the node. Also 503 while this node shuts down and while its database does not
 * answer ({@code DATABASE UNAVAILABLE}): such a node could only answer 503 to API calls.
 *
 * <p>{@code /healthcheck/detailed}, for admins only (it names paths and the database's own error),
 * is oslo.middleware's detailed JSON: one reason per check with its details.
 */
public final class HealthHandler {
  /** oslo.middleware's offers, in its tie-breaking order. */
  private static final List<String> OFFERS = List.of("text/plain", "text/html", "application/json");

  private final Path disableFile;
  private final InFlight lifecycle;
  private final DatabaseHealth database;
  private final Supplier<Future<JsonArray>> moreChecks;

  /**
   * @param moreChecks the detailed view's other checks (the embedded database's supervisor, the
   *     stores), as oslo.middleware reasons
   */
  public HealthHandler(Path disableFile, InFlight lifecycle, DatabaseHealth database,
      Supplier<Future<JsonArray>> moreChecks) {
    this.disableFile = disableFile;
    this.lifecycle = lifecycle;
    this.database = database;
    this.moreChecks = moreChecks;
  }

  public void handle(RoutingContext rc) {
    rc.request().resume();
    disabled(rc).onComplete(ar -> respond(rc, ar.succeeded() && ar.result()));
  }

  private Future<Boolean> disabled(RoutingContext rc) {
    return disableFile == null ? Future.succeededFuture(false) : rc.vertx().fileSystem().exists(disableFile.toString());
  }

  /** {@code GET /healthcheck/detailed}: the caller is authenticated; admins only. */
  public void detailed(RoutingContext rc) {
    rc.request().resume();
    if (!Callers.get(rc).admin()) {
      rc.fail(ImagoException.forbidden("The detailed health check is for admins."));
      return;
    }
    disabled(rc).compose(disabled -> moreChecks.get().map(more -> {
      DatabaseHealth.State db = database.state();
      JsonArray reasons = new JsonArray()
          .add(reason("DisableByFileHealthcheck", disabled ? "DISABLED BY FILE" : "OK",
              disableFile == null ? "no disable file configured" : "Path '" + disableFile + "' "
                  + (disabled ? "exists" : "was not found")))
          .add(reason("ShutdownCheck", lifecycle.draining() ? "SHUTTING DOWN" : "OK", lifecycle.draining()
              ? "the node is draining" : "serving"))
          .add(new JsonObject().put("class", "DatabaseCheck").put("reason", db.up() ? "OK" : "DATABASE UNAVAILABLE")
              .put("details", new JsonObject().put("up", db.up()).put("since", db.since().toString())
                  .put("probe_ms", db.latencyMicros() / 1000.0).put("error", db.error())));
      more.forEach(reasons::add);
      boolean ok = !disabled && !lifecycle.draining() && db.up();
      return new JsonObject().put("detailed", true).put("ok", ok).put("reasons", reasons);
    })).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ar.cause());
      } else {
        JsonBodies.send(rc, ar.result().getBoolean("ok") ? 200 : 503, ar.result());
      }
    });
  }

  /** One oslo.middleware reason of the detailed view. */
  public static JsonObject reason(String checkClass, String reason, Object details) {
    return new JsonObject().put("class", checkClass).put("reason", reason).put("details", details);
  }

  private void respond(RoutingContext rc, boolean disabled) {
    String reason = disabled ? "DISABLED BY FILE" : lifecycle.draining() ? "SHUTTING DOWN"
        : !database.up() ? "DATABASE UNAVAILABLE" : "OK";
    int status = reason.equals("OK") ? 200 : 503;
    if (rc.request().method().name().equals("HEAD")) {
      rc.response().setStatusCode(status == 200 ? 204 : 503).end();
      return;
    }
    switch (negotiate(rc.request().getHeader("Accept"))) {
      case "application/json" -> JsonBodies.send(rc, status,
          new JsonObject().put("detailed", false).put("reasons", new JsonArray().add(reason)));
      case "text/html" -> rc.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=UTF-8")
          .end("<HTML>\n<HEAD><TITLE>Healthcheck Status</TITLE></HEAD>\n<BODY>\n\n<H2>Result of 1 checks:</H2>\n"
              + "<TABLE bgcolor=\"#ffffff\" border=\"1\">\n<TBODY>\n<TR>\n\n<TH>\nReason\n</TH>\n</TR>\n<TR>\n\n"
              + "    <TD>" + reason + "</TD>\n\n</TR>\n</TBODY>\n</TABLE>\n<HR></HR>\n\n</BODY>\n</HTML>");
      default -> rc.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=UTF-8").end(reason);
    }
  }

  /**
   * oslo.middleware's choice among {@code text/plain}, {@code text/html} and
   * {@code application/json}: the highest quality offer, ties in that order, plain text when none
   * is acceptable. An offer's quality is that of the most specific range matching it.
   */
  static String negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return OFFERS.get(0);
    }
    String best = OFFERS.get(0);
    double bestQ = 0;
    for (String offer : OFFERS) {
      double q = quality(accept, offer);
      if (q > bestQ) {
        best = offer;
        bestQ = q;
      }
    }
    return best;
  }


  private static double quality(String accept, String offer) {
    int specificity = -1;
    double q = 0;
    for (String part : accept.split(",")) {
      String[] params = part.trim().split(";");
      String range = params[0].trim().toLowerCase(Locale.ROOT);
      int s = range.equals(offer) ? 2 : range.equals(offer.substring(0, offer.indexOf('/')) + "/*") ? 1
          : range.equals("*/*") ? 0 : -1;
      if (s <= specificity) {
        continue;
      }
      double rangeQ = 1;
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim();
        if (p.startsWith("q=")) {
          try {
            rangeQ = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException e) {
            rangeQ = 0;
          }
        }
      }
      specificity = s;
      q = rangeQ;
    }
    return q;
  }
}
