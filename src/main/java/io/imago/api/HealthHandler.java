package io.imago.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;

/**
 * {@code /healthcheck} as oslo.middleware serves it for Glance (spec/keystone.md §7): no auth,
 * {@code OK}, and 503 {@code DISABLED BY FILE} while the operator's disable file exists so a load
 * balancer drains the node. Also 503 while this node shuts down.
 */
public final class HealthHandler {
  private final Path disableFile;
  private final Lifecycle lifecycle;

  public HealthHandler(Path disableFile, Lifecycle lifecycle) {
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
    String accept = rc.request().getHeader("Accept");
    if (accept != null && accept.contains("application/json")) {
      JsonBodies.send(rc, status, new JsonObject().put("detailed", false).put("reasons", new JsonArray().add(reason)));
      return;
    }
    rc.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=UTF-8").end(reason);
  }
}
