package io.imago.api;

import io.imago.db.DatabaseErrors;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses. Glance's errors are WebOb pages whose
 * format depends on {@code Accept} (spec/images-api.md §0.3): HTML for {@code text/html} and
 * {@code *}{@code /*} (python-glanceclient parses it), a flat JSON object for
 * {@code application/json}, plain text otherwise or without {@code Accept}.
 */
public final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
  private static final Map<ErrorKind, HttpResponseStatus> STATUS = new EnumMap<>(ErrorKind.class);

  static {
    STATUS.put(ErrorKind.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST);
    STATUS.put(ErrorKind.UNAUTHENTICATED, HttpResponseStatus.UNAUTHORIZED);
    STATUS.put(ErrorKind.FORBIDDEN, HttpResponseStatus.FORBIDDEN);
    STATUS.put(ErrorKind.NOT_FOUND, HttpResponseStatus.NOT_FOUND);
    STATUS.put(ErrorKind.METHOD_NOT_ALLOWED, HttpResponseStatus.METHOD_NOT_ALLOWED);
    STATUS.put(ErrorKind.CONFLICT, HttpResponseStatus.CONFLICT);
    STATUS.put(ErrorKind.GONE, HttpResponseStatus.GONE);
    STATUS.put(ErrorKind.TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
    STATUS.put(ErrorKind.UNSUPPORTED_MEDIA_TYPE, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE);
    STATUS.put(ErrorKind.RANGE_NOT_SATISFIABLE, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
    STATUS.put(ErrorKind.INTERNAL, HttpResponseStatus.INTERNAL_SERVER_ERROR);
    STATUS.put(ErrorKind.NOT_IMPLEMENTED, HttpResponseStatus.NOT_IMPLEMENTED);
    STATUS.put(ErrorKind.UNAVAILABLE, HttpResponseStatus.SERVICE_UNAVAILABLE);
  }

  private ErrorMapper() {}

  public static HttpResponseStatus status(ErrorKind kind) {
    return STATUS.get(kind);
  }

  /** Router failure handler: every {@code rc.fail(…)} and uncaught exception ends here. */
  public static void handle(RoutingContext rc) {
    Throwable failure = rc.failure();
    ImagoException e;
    if (failure instanceof ImagoException ie) {
      e = ie;
    } else if (failure instanceof HttpException he) {
      e = fromStatus(he.getStatusCode(), he.getPayload());
    } else if (failure == null) {
      e = fromStatus(rc.statusCode(), null);
    } else {
      e = DatabaseErrors.translate(failure).orElseGet(() -> new ImagoException(ErrorKind.INTERNAL, Map.of(), failure,
          "The server has either erred or is incapable of performing the requested operation."));
    }
    send(rc, e);
  }

  /**
   * Router error handler for {@code code}. Vert.x calls it without recording the failure on the
   * context when routing itself fails (e.g. a malformed percent-escape in the path is a 400), so
   * the code must come from the registration, or such requests would be answered 500.
   */
  public static Handler<RoutingContext> forStatus(int code) {
    return rc -> {
      if (rc.failure() == null && rc.statusCode() == -1) {
        send(rc, fromStatus(code, null));
      } else {
        handle(rc);
      }
    };
  }

  /** Writes {@code e} as a Glance error response, unless a response is already under way. */
  public static void send(RoutingContext rc, ImagoException e) {
    HttpServerResponse resp = rc.response();
    HttpResponseStatus status = STATUS.get(e.kind());
    // a 501 is the client's unknown method, not our failure
    if (status.code() >= 500 && e.kind() != ErrorKind.NOT_IMPLEMENTED && resp.closed()) {
      // the client hung up (or its connection was closed for a malformed body or a timeout): the
      // failure is what that did to the request, and nobody is left to answer
      // once: a malformed body was logged where it was found
      ConnectionGuard.Exchange x = ConnectionGuard.exchange(rc.request());
      (x != null && x.error() != null ? LOG.atDebug() : LOG.atInfo())
          .setMessage("request ended: the client's connection is closed")
          .addKeyValue("request_id", RequestIds.get(rc)).addKeyValue("method", rc.request().method())
          .addKeyValue("path", rc.request().path())
          .addKeyValue("reason", String.valueOf((e.getCause() != null ? e.getCause() : e).getMessage())).log();
      return;
    }
    if (e.kind() == ErrorKind.UNAVAILABLE) {
      // a dependency is down: one line per request, the stack is the dependency's, not ours
      LOG.atWarn().setMessage("request failed: unavailable").addKeyValue("request_id", RequestIds.get(rc))
          .addKeyValue("method", rc.request().method()).addKeyValue("path", rc.request().path())
          .addKeyValue("reason", e.getMessage())
          .addKeyValue("cause", e.getCause() != null ? String.valueOf(e.getCause()) : null).log();
    } else if (status.code() >= 500 && e.kind() != ErrorKind.NOT_IMPLEMENTED) {
      LOG.atError().setMessage("request failed").addKeyValue("request_id", RequestIds.get(rc))
          .addKeyValue("method", rc.request().method()).addKeyValue("path", rc.request().path())
          .setCause(e.getCause() != null ? e.getCause() : e).log();
    }
    if (resp.headWritten() || resp.ended() || resp.closed()) {
      // The status line is gone; the only honest signal left is to cut the stream short.
      if (!resp.ended() && !resp.closed()) {
        resp.reset();
      }
      return;
    }
    HttpServerRequest req = rc.request();
    resp.setStatusCode(status.code());
    e.headers().forEach(resp::putHeader);
    if (req.method().name().equals("HEAD")) {
      endClosingUnreadBody(req, resp, null);
      return;
    }
    Body body = render(req.getHeader("Accept"), status, e.getMessage());
    resp.putHeader("Content-Type", body.contentType());
    endClosingUnreadBody(req, resp, body.text());
  }

  /** How long a refused request's remaining body is read and dropped before the connection closes. */
  private static final long LINGER_MS = 5_000;
  /** How much of it, at most. */
  private static final long LINGER_BYTES = 64L << 20;

  /**
   * Ends the response; when the request body was not read (an upload refused before or while it
   * streamed) the HTTP/1.1 connection is closed after the response instead of reading what may be
   * gigabytes. Closing a socket with unread data makes the kernel send a reset, which can destroy
   * the response before the client reads it; so, like nginx's lingering close, the rest of the body
   * is read and dropped for up to {@link #LINGER_MS} or {@link #LINGER_BYTES} first — a client that
   * honours {@code Connection: close} stops sending long before.
   */
  static void endClosingUnreadBody(HttpServerRequest req, HttpServerResponse resp, String text) {
    boolean close = !req.isEnded() && req.version() != HttpVersion.HTTP_2;
    if (close) {
      resp.putHeader("Connection", "close");
    }
    var done = text == null ? resp.end() : resp.end(text);
    if (close) {
      done.onComplete(v -> lingerThenClose(req));
    }
  }

  private static void lingerThenClose(HttpServerRequest req) {
    if (req.isEnded()) {
      req.connection().close();
      return;
    }
    Context context = Vertx.currentContext();
    if (context == null) {
      req.connection().close();
      return;
    }
    Vertx vertx = context.owner();
    long[] dropped = {0};
    long timer = vertx.setTimer(LINGER_MS, t -> req.connection().close());
    try {
      req.handler(b -> {
        dropped[0] += b.length();
        if (dropped[0] > LINGER_BYTES && vertx.cancelTimer(timer)) {
          req.connection().close();
        }
      });
      req.endHandler(v -> {
        if (vertx.cancelTimer(timer)) {
          req.connection().close();
        }
      });
      req.exceptionHandler(e -> vertx.cancelTimer(timer));
      req.resume();
    } catch (IllegalStateException ended) { // the body ended meanwhile
      if (vertx.cancelTimer(timer)) {
        req.connection().close();
      }
    }
  }

  static ImagoException fromStatus(int code, String detail) {
    ErrorKind kind = switch (code) {
      case 400 -> ErrorKind.BAD_REQUEST;
      case 401 -> ErrorKind.UNAUTHENTICATED;
      case 403 -> ErrorKind.FORBIDDEN;
      case 404 -> ErrorKind.NOT_FOUND;
      case 405 -> ErrorKind.METHOD_NOT_ALLOWED;
      case 409 -> ErrorKind.CONFLICT;
      case 410 -> ErrorKind.GONE;
      case 413 -> ErrorKind.TOO_LARGE;
      case 415 -> ErrorKind.UNSUPPORTED_MEDIA_TYPE;
      case 416 -> ErrorKind.RANGE_NOT_SATISFIABLE;
      case 501 -> ErrorKind.NOT_IMPLEMENTED;
      case 503 -> ErrorKind.UNAVAILABLE;
      default -> code >= 400 && code < 500 ? ErrorKind.BAD_REQUEST : ErrorKind.INTERNAL;
    };
    String message = detail != null && !detail.isBlank() ? detail : defaultExplanation(code);
    return new ImagoException(kind, message);
  }

  /** WebOb's explanation texts, used when a failure has no message of its own. */
  static String defaultExplanation(int code) {
    return switch (code) {
      case 400 -> "The server could not comply with the request since it is either malformed or otherwise incorrect.";
      case 401 -> "This server could not verify that you are authorized to access the document you requested. Either"
          + " you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to"
          + " supply the credentials required.";
      case 403 -> "Access was denied to this resource.";
      case 404 -> "The resource could not be found.";
      case 405 -> "The method is not allowed for this resource.";
      case 409 -> "There was a conflict when trying to complete your request.";
      case 410 -> "This resource is no longer available.  No forwarding address is given.";
      case 413 -> "The request is larger than the server is willing or able to process.";
      case 415 -> "The request media type is not supported by this server.";
      case 416 -> "The Range requested is not available.";
      case 501 -> "The server has not been implemented to handle this request.";
      case 503 -> "The server is currently unavailable. Please try again at a later time.";
      default -> "The server has either erred or is incapable of performing the requested operation.";
    };
  }

  record Body(String contentType, String text) {}

  /** The WebOb body for {@code status} and {@code message}, chosen by {@code accept}. */
  static Body render(String accept, HttpResponseStatus status, String message) {
    String statusLine = status.code() + " " + status.reasonPhrase();
    String msg = message == null ? "" : message;
    switch (negotiate(accept)) {
      case HTML -> {
        String html = "<html>\n <head>\n  <title>" + statusLine + "</title>\n </head>\n <body>\n  <h1>" + statusLine
            + "</h1>\n  " + escapeHtml(msg) + "<br /><br />\n\n\n\n </body>\n</html>";
        return new Body("text/html; charset=UTF-8", html);
      }
      case JSON -> {
        JsonObject json = new JsonObject()
            .put("message", msg + "<br /><br />\n\n\n")
            .put("code", statusLine)
            .put("title", status.reasonPhrase());
        return new Body("application/json", json.encode());
      }
      default -> {
        return new Body("text/plain; charset=UTF-8", statusLine + "\n\n" + msg + "\n\n   ");
      }
    }
  }

  enum Format { HTML, JSON, TEXT }

  /**
   * WebOb's best match of {@code Accept} among (text/html, application/json), ties resolved in
   * that order; no header, or neither acceptable, gives plain text.
   */
  static Format negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return Format.TEXT;
    }
    double html = 0;
    double json = 0;
    for (String part : accept.split(",")) {
      String[] params = part.trim().split(";");
      String type = params[0].trim().toLowerCase(Locale.ROOT);
      double q = 1.0;
      for (int i = 1; i < params.length; i++) {
        String p = params[i].trim();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2).trim());
          } catch (NumberFormatException ignored) {
            q = 0;
          }
        }
      }
      if (matches(type, "text/html")) {
        html = Math.max(html, q);
      }
      if (matches(type, "application/json")) {
        json = Math.max(json, q);
      }
    }
    if (html == 0 && json == 0) {
      return Format.TEXT;
    }
    return html >= json ? Format.HTML : Format.JSON;
  }

  private static boolean matches(String range, String type) {
    if (range.equals("*/*") || range.equals(type)) {
      return true;
    }
    return range.endsWith("/*") && type.startsWith(range.substring(0, range.length() - 1));
  }

  private static String escapeHtml(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&#34;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
