package io.imago.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code /healthcheck} as oslo.middleware serves it for Glance (spec/keystone.md §7): no auth,
 * {@code OK}, and 503 {@code DISABLED BY FILE} while the operator's disable file exists so a load
 * balancer drains the node. Also 503 while this node shuts down.
 */
public final class HealthHandler {
  /** oslo.middleware's offers, in its tie-breaking order. */
  private static final List<String> OFFERS = List.of("text/plain", "text/html", "application/json");

  private final Path disableFile;
  private final InFlight lifecycle;

  public HealthHandler(Path disableFile, InFlight lifecycle) {
    this.disableFile = disableFile;
    this.lifecycle = lifecycle;
  }

  public void handle(RoutingContext rc) {
    rc.request().resume();
    if (disableFile == null) {
      respond(rc, false);
      return;
    }
    rc.vertx().fileSystem().exists(disableFile.toString())
        .onComplete(ar -> respond(rc, ar.succeeded() && ar.result()));
  }

  private void respond(RoutingContext rc, boolean disabled) {
    String reason = disabled ? "DISABLED BY FILE" : lifecycle.draining() ? "SHUTTING DOWN" : "OK";
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
