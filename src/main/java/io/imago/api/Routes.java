package io.imago.api;

import io.imago.auth.Authenticator;
import io.imago.config.HttpConfig;
import io.imago.data.ClientBody;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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

  /**
   * One path × method.
   *
   * @param otherMethods405 whether the other methods of this path are a 405 with {@code Allow}
   *     (Glance's "reject" routes); false for the few paths Glance routes without one, where any
   *     other method is a plain 404 (e.g. {@code POST /v2/info/usage}, ERRATA 11)
   */
  record Endpoint(HttpMethod method, String path, Body body, Handler<RoutingContext> handler,
      boolean otherMethods405) {
    Endpoint(HttpMethod method, String path, Body body, Handler<RoutingContext> handler) {
      this(method, path, body, handler, true);
    }
  }

  private static final Set<HttpMethod> KNOWN_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST,
      HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH);

  private Routes() {}

  /**
   * The handler of every endpoint, each built once by the application with its own dependencies
   * and shared by every event loop (all are thread-safe).
   */
  public record Handlers(ImagesHandler images, ImageListHandler list, ImageDataHandler data,
      ImageActionsHandler actions, ImageTagsHandler tags, MembersHandler members, StoresHandler stores,
      DiscoveryHandler info, SchemasHandler schemas, VersionsHandler versions, HealthHandler health,
      MetadefNamespacesHandler metadefs, MetadefContentsHandler metadefContents,
      CacheHandler cache) {}

  /** Every endpoint, in Glance's route-table order (which is also the order of {@code Allow}). */
  static List<Endpoint> endpoints(Handlers h) {
    ImageListHandler list = h.list();
    ImagesHandler images = h.images();
    ImageDataHandler data = h.data();
    StoresHandler stores = h.stores();
    ImageActionsHandler actions = h.actions();
    ImageTagsHandler tags = h.tags();
    MembersHandler members = h.members();
    DiscoveryHandler info = h.info();
    SchemasHandler schemas = h.schemas();
    List<Endpoint> e = new ArrayList<>();
    e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/image", Body.REJECTED, schemas::image));
    e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/images", Body.REJECTED, schemas::images));
    e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/member", Body.REJECTED, schemas::member));
    e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/members", Body.REJECTED, schemas::members));
    e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/task", Body.IGNORED, schemas::task));
    e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/tasks", Body.IGNORED, schemas::tasks));
    MetadefNamespacesHandler md = h.metadefs();
    MetadefContentsHandler mc = h.metadefContents();
    for (String name : MetadefSchemas.NAMES) {
      e.add(new Endpoint(HttpMethod.GET, "/v2/schemas/metadefs/" + name, Body.REJECTED, md.schema(name)));
    }
    String ns = "/v2/metadefs/namespaces/:namespace";
    e.add(new Endpoint(HttpMethod.GET, "/v2/metadefs/resource_types", Body.REJECTED, md::resourceTypes));
    e.add(new Endpoint(HttpMethod.GET, ns + "/resource_types", Body.REJECTED, md::associations));
    e.add(new Endpoint(HttpMethod.POST, ns + "/resource_types", Body.JSON, md::associate));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/resource_types/:resource_type", Body.REJECTED, md::dissociate));
    e.add(new Endpoint(HttpMethod.GET, "/v2/metadefs/namespaces", Body.IGNORED, md::index));
    e.add(new Endpoint(HttpMethod.POST, "/v2/metadefs/namespaces", Body.JSON, md::create));
    e.add(new Endpoint(HttpMethod.GET, ns, Body.REJECTED, md::show));
    e.add(new Endpoint(HttpMethod.PUT, ns, Body.JSON, md::update));
    e.add(new Endpoint(HttpMethod.DELETE, ns, Body.REJECTED, md::delete));
    e.add(new Endpoint(HttpMethod.GET, ns + "/properties", Body.REJECTED, mc::listProperties));
    e.add(new Endpoint(HttpMethod.POST, ns + "/properties", Body.JSON, mc::createProperty));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/properties", Body.IGNORED, md::deleteProperties));
    e.add(new Endpoint(HttpMethod.GET, ns + "/properties/:property_name", Body.IGNORED, mc::showProperty));
    e.add(new Endpoint(HttpMethod.PUT, ns + "/properties/:property_name", Body.JSON, mc::updateProperty));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/properties/:property_name", Body.IGNORED, mc::deleteProperty));
    e.add(new Endpoint(HttpMethod.GET, ns + "/objects", Body.IGNORED, mc::listObjects));
    e.add(new Endpoint(HttpMethod.POST, ns + "/objects", Body.JSON, mc::createObject));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/objects", Body.IGNORED, md::deleteObjects));
    e.add(new Endpoint(HttpMethod.GET, ns + "/objects/:object_name", Body.REJECTED, mc::showObject));
    e.add(new Endpoint(HttpMethod.PUT, ns + "/objects/:object_name", Body.JSON, mc::updateObject));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/objects/:object_name", Body.REJECTED, mc::deleteObject));
    e.add(new Endpoint(HttpMethod.GET, ns + "/tags", Body.IGNORED, mc::listTags));
    e.add(new Endpoint(HttpMethod.POST, ns + "/tags", Body.JSON, mc::createTags));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/tags", Body.IGNORED, md::deleteTags));
    e.add(new Endpoint(HttpMethod.GET, ns + "/tags/:tag_name", Body.REJECTED, mc::showTag));
    e.add(new Endpoint(HttpMethod.POST, ns + "/tags/:tag_name", Body.REJECTED, mc::createTag));
    e.add(new Endpoint(HttpMethod.PUT, ns + "/tags/:tag_name", Body.JSON, mc::updateTag));
    e.add(new Endpoint(HttpMethod.DELETE, ns + "/tags/:tag_name", Body.REJECTED, mc::deleteTag));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images", Body.IGNORED, list::list));
    e.add(new Endpoint(HttpMethod.POST, "/v2/images", Body.JSON, images::create));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id", Body.REJECTED, images::show));
    e.add(new Endpoint(HttpMethod.PATCH, "/v2/images/:image_id", Body.JSON, images::update));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/images/:image_id", Body.REJECTED, images::delete));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/stores/:store_id/:image_id", Body.REJECTED, stores::deleteFromStore));
    e.add(new Endpoint(HttpMethod.POST, "/v2/images/:image_id/actions/deactivate", Body.REJECTED,
        actions::deactivate));
    e.add(new Endpoint(HttpMethod.POST, "/v2/images/:image_id/actions/reactivate", Body.REJECTED,
        actions::reactivate));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id/file", Body.REJECTED, data::download));
    e.add(new Endpoint(HttpMethod.PUT, "/v2/images/:image_id/file", Body.STREAM, data::upload));
    e.add(new Endpoint(HttpMethod.PUT, "/v2/images/:image_id/tags/:tag_value", Body.REJECTED, tags::update));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/images/:image_id/tags/:tag_value", Body.REJECTED, tags::delete));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id/members", Body.REJECTED, members::index));
    e.add(new Endpoint(HttpMethod.POST, "/v2/images/:image_id/members", Body.JSON, members::create));
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id/members/:member_id", Body.REJECTED, members::show));
    e.add(new Endpoint(HttpMethod.PUT, "/v2/images/:image_id/members/:member_id", Body.JSON, members::update));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/images/:image_id/members/:member_id", Body.REJECTED,
        members::delete));
    // Glance routes no other method here: POST …/tasks is a 404, not a 405.
    e.add(new Endpoint(HttpMethod.GET, "/v2/images/:image_id/tasks", Body.REJECTED, info::imageTasks, false));
    e.add(new Endpoint(HttpMethod.GET, "/v2/info/import", Body.REJECTED, info::importMethods));
    e.add(new Endpoint(HttpMethod.GET, "/v2/info/stores", Body.REJECTED, info::stores));
    // Glance routes only GET here, without body check: other methods are a 404 (ERRATA 11).
    e.add(new Endpoint(HttpMethod.GET, "/v2/info/usage", Body.IGNORED, info::usage, false));
    e.add(new Endpoint(HttpMethod.GET, "/v2/info/stores/detail", Body.REJECTED, info::storesDetail));
    CacheHandler cache = h.cache();
    e.add(new Endpoint(HttpMethod.GET, "/v2/cache", Body.REJECTED, cache::list));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/cache", Body.IGNORED, cache::clear));
    e.add(new Endpoint(HttpMethod.DELETE, "/v2/cache/:image_id", Body.IGNORED, cache::delete));
    e.add(new Endpoint(HttpMethod.PUT, "/v2/cache/:image_id", Body.IGNORED, cache::queue));
    e.add(new Endpoint(HttpMethod.GET, "/v2/cache/nodes/:image_id", Body.REJECTED, cache::nodes));
    e.add(new Endpoint(HttpMethod.POST, "/v2/cache/clean", Body.IGNORED, cache::clean));
    e.add(new Endpoint(HttpMethod.POST, "/v2/cache/prune", Body.IGNORED, cache::prune));
    if (cache.enabled()) {
      // Glance's cachemanage middleware, in front of the router: its other methods fall through to a 404
      e.add(new Endpoint(HttpMethod.GET, "/v2/cached_images", Body.IGNORED, cache::legacyListCached, false));
      e.add(new Endpoint(HttpMethod.DELETE, "/v2/cached_images/:image_id", Body.IGNORED, cache::legacyDeleteCached,
          false));
      e.add(new Endpoint(HttpMethod.DELETE, "/v2/cached_images", Body.IGNORED, cache::legacyDeleteAllCached, false));
      e.add(new Endpoint(HttpMethod.PUT, "/v2/queued_images/:image_id", Body.IGNORED, cache::legacyQueue, false));
      e.add(new Endpoint(HttpMethod.GET, "/v2/queued_images", Body.IGNORED, cache::legacyListQueued, false));
      e.add(new Endpoint(HttpMethod.DELETE, "/v2/queued_images/:image_id", Body.IGNORED, cache::legacyDeleteQueued,
          false));
      e.add(new Endpoint(HttpMethod.DELETE, "/v2/queued_images", Body.IGNORED, cache::legacyDeleteAllQueued, false));
    }
    return e;
  }

  /**
   * One event loop's router: the cross-cutting steps every request takes (access log, in-flight
   * counting, version negotiation, request ids, authentication, draining), then the endpoints.
   *
   * @param metrics the Prometheus exposition of {@code GET /metrics}
   */
  public static Router router(Vertx vertx, Handlers h, Authenticator authenticator, InFlight inFlight,
      HttpConfig http, boolean accessLog, Supplier<String> metrics) {
    Router router = Router.router(vertx);
    VersionsHandler versions = h.versions();
    HealthHandler health = h.health();
    BodyHandler jsonBody = BodyHandler.create(false).setBodyLimit(http.maxJsonBodySize());
    Handler<RoutingContext> authenticate = rc -> Callers.authenticate(rc, authenticator);

    if (accessLog) {
      router.route().handler(AccessLog::handle);
    }
    router.route().handler(rc -> {
      // every request counts until its response ends or its connection dies (graceful shutdown);
      // once: a reroute (/v2.N/… → /v2/…) runs the handlers again
      if (rc.get(REQUEST_OVER) == null) {
        Runnable done = inFlight.requestStarted();
        rc.put(REQUEST_OVER, done);
        rc.addEndHandler(v -> done.run());
      }
      rc.next();
    });
    String wwwAuthenticate = authenticator.wwwAuthenticate();
    if (wwwAuthenticate != null) {
      // keystonemiddleware adds it to every 401, whoever produced it (spec/keystone.md §2)
      router.route().handler(rc -> {
        rc.addHeadersEndHandler(v -> {
          if (rc.response().getStatusCode() == 401 && !rc.response().headers().contains("WWW-Authenticate")) {
            rc.response().putHeader("WWW-Authenticate", wwwAuthenticate);
          }
        });
        rc.next();
      });
    }
    router.route("/healthcheck").handler(health::handle);
    router.get("/healthcheck/detailed").handler(RequestIds::assign).handler(authenticate).handler(health::detailed);
    router.get("/metrics").handler(rc -> rc.response().putHeader("Content-Type", "text/plain; version=0.0.4")
        .end(metrics.get()));
    router.route().method(HttpMethod.OPTIONS).handler(Routes::options);
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
      // Vert.x would decode bad escapes into U+FFFD and look that up; Glance refuses them (§0.2)
      if (!percentDecodesToUtf8(rc.request().path()) || !percentDecodesToUtf8(rc.request().query())) {
        rc.fail(ImagoException.badRequest("Error decoding your request. Either the URL or the request body contained "
            + "characters that could not be decoded by Glance"));
      } else {
        rc.next();
      }
    });
    router.route().handler(rc -> {
      if (inFlight.draining()) {
        rc.fail(new ImagoException(ErrorKind.UNAVAILABLE, "The service is shutting down."));
      } else {
        rc.next();
      }
    });
    // The bare prefix redirects to the slashed one (which is then a 404), after authentication
    // like every /v2 request in Glance (ERRATA 1).
    router.routeWithRegex("/v2").handler(authenticate).handler(rc -> {
      rc.request().resume();
      rc.response().setStatusCode(302)
          .putHeader("Location", VersionsHandler.baseUrl(rc.request(), http.publicEndpoint()) + "/v2/")
          .end();
    });
    // Vert.x ignores a trailing slash when matching; Glance's router does not (spec §0.1).
    router.routeWithRegex(".*/").handler(authenticate).handler(Routes::notFound);

    Map<String, List<HttpMethod>> allowed = new LinkedHashMap<>();
    Set<String> with405 = new HashSet<>();
    for (Endpoint ep : endpoints(h)) {
      allowed.computeIfAbsent(ep.path(), p -> new ArrayList<>()).add(ep.method());
      if (ep.otherMethods405()) {
        with405.add(ep.path());
      }
      var route = router.route(ep.method(), ep.path());
      if (ep.body() == Body.STREAM) {
        route.handler(Routes::watchBody);
      }
      route.handler(authenticate);
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
    // A known path with any other method, standard or not (HEAD included): 405 with Allow in
    // route-table order, after authentication, whatever the body (ERRATA 14), as in Glance.
    allowed.forEach((path, methods) -> {
      if (!with405.contains(path)) {
        return;
      }
      String allow = methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
      router.route(path).handler(authenticate).handler(rc -> {
        rc.request().resume();
        rc.fail(new ImagoException(ErrorKind.METHOD_NOT_ALLOWED, Map.of("Allow", allow), null,
            "The method %s is not allowed for this resource.", rc.request().method().name()));
      });
    });
    router.route().handler(authenticate).handler(Routes::notFound);

    router.route().failureHandler(ErrorMapper::handle);
    for (int code : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(code, ErrorMapper.forStatus(code));
    }
    return router;
  }

  private static final String BODY = "imago.body";
  /** The request's "no longer in flight" callback (idempotent), under this routing-context key. */
  private static final String REQUEST_OVER = "imago.requestOver";

  /**
   * Ends the request's in-flight count when its end handlers cannot tell: Vert.x 5.0 marks a
   * {@code sendFile} response as ended when the file starts, so a client hanging up mid-file
   * fires no end, close or exception handler of the response.
   */
  static void requestOver(RoutingContext rc) {
    Runnable done = rc.get(REQUEST_OVER);
    if (done != null) {
      done.run();
    }
  }

  /**
   * {@link Body#STREAM}, first step: pause the body and watch it for errors from the very first
   * event-loop turn, so that a client hanging up during authentication or database work is noticed.
   */
  static void watchBody(RoutingContext rc) {
    rc.request().pause();
    rc.put(BODY, ClientBody.watch(rc.request()));
    rc.next();
  }

  /** The watched body of a {@link Body#STREAM} route. */
  static ClientBody body(RoutingContext rc) {
    ClientBody b = rc.get(BODY);
    if (b == null) {
      throw new IllegalStateException("no watched body: route is not Body.STREAM");
    }
    return b;
  }

  /**
   * No route: 404, or 501 for a method outside GET/HEAD/POST/PUT/DELETE/PATCH, as Glance's router
   * answers an unmatched request (a known path with such a method is a 405 instead).
   */
  private static void notFound(RoutingContext rc) {
    rc.request().resume();
    if (!KNOWN_METHODS.contains(rc.request().method())) {
      rc.fail(new ImagoException(ErrorKind.NOT_IMPLEMENTED, "The request method %s is not implemented for this server.",
          rc.request().method().name()));
      return;
    }
    rc.fail(ImagoException.notFound("The resource could not be found."));
  }

  /**
   * {@code OPTIONS}: Glance's CORS middleware turns every non-2xx answer to an OPTIONS request into
   * an empty 200 without headers; only {@code /versions} (a 200) keeps its body.
   */
  private static void options(RoutingContext rc) {
    String path = rc.normalizedPath();
    if (path.equals("/versions") || path.startsWith("/versions/")) {
      rc.next();
      return;
    }
    rc.request().resume();
    rc.response().setStatusCode(200).end();
  }

  /**
   * Whether the percent-escapes of a raw URI part decode to valid UTF-8. Malformed escapes
   * ({@code %G1}) are left to the router, which takes them literally.
   */
  static boolean percentDecodesToUtf8(String raw) {
    if (raw == null || raw.indexOf('%') < 0) {
      return true;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      int hi = c == '%' && i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
      if (lo >= 0) {
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        // raw URIs are ASCII; anything else is passed through as its UTF-8 bytes
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
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
