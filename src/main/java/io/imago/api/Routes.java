package io.imago.api;

import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one route table (like Glance's {@code api/v2/router.py}): every path × method, what each
 * does with a request body, and 405 with {@code Allow} for the other methods of a known path.
 */
public final class Routes {
  /** What a route does with a request body (spec/images-api.md §0.2). */
  enum Body {
    /** A body is a 400 "A body is not expected with this request." */
    REJECTED,
    /** A body is read and ignored. */
    IGNORED,
    /** A JSON body is read whole (up to http.max_json_body_size). */
    JSON,
    /** The handler streams the body itself; it arrives paused. */
    STREAM
  }

  record Endpoint(HttpMethod method, String path, Body body, Handler<RoutingContext> handler) {}

  private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH);

  private Routes() {}

  /** Every endpoint, in Glance's route-table order (which is also the order of {@code Allow}). */
  static List<Endpoint> endpoints(Services s) {
    ImagesHandler images = new ImagesHandler(s);
    ImageDataHandler data = new ImageDataHandler(s);
    List<Endpoint> e = new ArrayList<>();
    e.add(new Endpoint(HttpMethod.POST, "/v2/images", Body.JSON, images::create));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id", Body.REJECTED, images::show));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/images/:image_id", Body.REJECTED, images::delete));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id/file", Body.REJECTED, data::download));
    e.add(new Endpoint(HttpMethod.PUT, "/v2/images/:image_id/file", Body.STREAM, data::upload));
    return e;
  }

  public static Router router(Vertx vertx, Services s) {
    Router router = Router.router(vertx);
    VersionsHandler versions = new VersionsHandler(false, s.stores().size() > 1, s.config().http().publicEndpoint());
    HealthHandler health = new HealthHandler(s.config().http().healthcheckDisableFile(), s.lifecycle());
    BodyHandler jsonBody = BodyHandler.create(false).setBodyLimit(s.config().http().maxJsonBodySize());

    if (s.config().logging().accessLog()) {
      router.route().handler(AccessLog::handle);
    }
    router.route("/healthcheck").handler(health::handle);
    router.get("/metrics").handler(rc -> rc.response().putHeader("Content-Type", "text/plain; version=0.0.4")
        .end(s.metrics().scrape()));
    router.route().handler(versions::negotiate);
    router.route().handler(rc -> {
      String path = rc.normalizedPath();
      if (path.startsWith("/v2/") || path.equals("/v2")) {
        RequestIds.assign(rc);
      } else {
        rc.next();
      }
    });
    router.route().handler(rc -> {
      if (s.lifecycle().draining()) {
        rc.fail(new ImagoException(ErrorKind.UNAVAILABLE, "The service is shutting down."));
      } else {
        rc.next();
      }
    });

    Map<String, List<HttpMethod>> allowed = new LinkedHashMap<>();
    for (Endpoint ep : endpoints(s)) {
      allowed.computeIfAbsent(ep.path(), p -> new ArrayList<>()).add(ep.method());
      var route = router.route(ep.method(), ep.path())
          .handler(rc -> Callers.authenticate(rc, s.authenticator()));
      switch (ep.body()) {
        case REJECTED -> route.handler(Routes::rejectBody);
        case IGNORED -> route.handler(rc -> {
          rc.request().resume();
          rc.next();
        });
        // wrapped: Vert.x Web refuses a BodyHandler after our (USER) authentication step
        case JSON -> route.handler(jsonBody::handle);
        case STREAM -> { }
      }
      route.handler(ep.handler());
    }
    // A known path with another method: 405 with Allow (after authentication, as in Glance).
    allowed.forEach((path, methods) -> {
      String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
      router.route(path).handler(rc -> Callers.authenticate(rc, s.authenticator())).handler(rc -> {
        rc.request().resume();
        if (!KNOWN_METHODS.contains(rc.request().method())) {
          rc.fail(new ImagoException(ErrorKind.NOT_IMPLEMENTED, "The server has not been implemented to handle %s.",
              rc.request().method().name()));
          return;
        }
        rc.fail(new ImagoException(ErrorKind.METHOD_NOT_ALLOWED, Map.of("Allow", allow), null,
            "The method %s is not allowed for this resource.", rc.request().method().name()));
      });
    });
    router.route().handler(rc -> Callers.authenticate(rc, s.authenticator())).handler(rc -> {
      rc.request().resume();
      if (!KNOWN_METHODS.contains(rc.request().method())) {
        rc.fail(new ImagoException(ErrorKind.NOT_IMPLEMENTED, "The server has not been implemented to handle %s.",
            rc.request().method().name()));
        return;
      }
      rc.fail(ImagoException.notFound("The resource could not be found."));
    });

    router.route().failureHandler(ErrorMapper::handle);
    for (int code : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(code, ErrorMapper::handle);
    }
    return router;
  }

  /** {@link Body#REJECTED}: a present body is a 400 (spec §0.2 "A body is present when…"). */
  static void rejectBody(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    req.resume();
    if (hasBody(req)) {
      rc.fail(ImagoException.badRequest("A body is not expected with this request."));
      return;
    }
    rc.next();
  }

  static boolean hasBody(HttpServerRequest req) {
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      try {
        if (Long.parseLong(cl.trim()) > 0) {
          return true;
        }
      } catch (NumberFormatException e) {
        return true;
      }
    }
    String te = req.getHeader("Transfer-Encoding");
    HttpMethod m = req.method();
    return te != null && (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH)
        && Set.of("chunked", "compress", "deflate", "gzip", "identity").contains(te.trim().toLowerCase());
  }
}
