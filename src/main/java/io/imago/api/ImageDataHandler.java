package io.imago.api;

import io.imago.data.ClientBody;
import io.imago.data.Download.Content;
import io.imago.data.Download.LocalFile;
import io.imago.data.Download.Stream;
import io.imago.data.Download;
import io.imago.data.Downloads;
import io.imago.data.RangeRequest;
import io.imago.data.Uploads;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.imago.policy.Action;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT|GET /v2/images/{id}/file}: upload and download (spec/images-api.md §4.6, §4.7). The
 * handler reads the headers, authorises, hands the body to the upload use case or asks the
 * download use case what to send, and sends it; the byte path itself lives in {@code data}.
 */
public final class ImageDataHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ImageDataHandler.class);
  private static final String OCTET_STREAM = "application/octet-stream";

  private final ImageLookups lookups;
  private final Uploads uploads;
  private final Downloads downloads;
  private final InFlight lifecycle;

  public ImageDataHandler(ImageLookups lookups, Uploads uploads, Downloads downloads, InFlight lifecycle) {
    this.lookups = lookups;
    this.uploads = uploads;
    this.downloads = downloads;
    this.lifecycle = lifecycle;
  }

  /** {@code PUT /file} → 204. The request arrives paused (see {@link Callers#authenticate}). */
  public void upload(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    ClientBody body = Routes.body(rc);
    Caller caller = Callers.writer(rc);
    String id = rc.pathParam("image_id");
    requireOctetStream(req);
    long declared = declaredSize(req);
    String store = req.getHeader("X-Image-Meta-Store");
    uploads.admit(caller, declared, store)
        .compose(v -> lookups.forAction(caller, id, Action.UPLOAD_IMAGE,
            "You are not authorized to complete upload_image action."))
        .compose(image -> uploads.upload(new Uploads.Request(image, caller, declared, store, body,
            () -> continueIfExpected(req))))
        .onSuccess(image -> ErrorMapper.endClosingUnreadBody(req, rc.response().setStatusCode(204), null))
        .onFailure(rc::fail);
  }

  /** {@code Expect: 100-continue}: the client may send the body now that the upload is admitted. */
  private static void continueIfExpected(HttpServerRequest req) {
    if ("100-continue".equalsIgnoreCase(req.getHeader("Expect")) && req.version() != HttpVersion.HTTP_1_0) {
      req.response().writeContinue();
    }
  }

  static void requireOctetStream(HttpServerRequest req) {
    String ct = req.getHeader("Content-Type");
    String base = ct == null ? "" : ct.split(";")[0].trim();
    if (!base.equalsIgnoreCase(OCTET_STREAM)) {
      throw new ImagoException(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
          "The request media type %s is not supported by this server.", ct == null ? "(none)" : ct);
    }
  }

  /** {@code x-openstack-image-size}, else {@code Content-Length}, else -1. */
  static long declaredSize(HttpServerRequest req) {
    String declared = req.getHeader("x-openstack-image-size");
    if (declared != null) {
      try {
        long n = Long.parseLong(declared.trim());
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw ImagoException.badRequest("x-openstack-image-size must be a non-negative integer, got '%s'", declared);
      }
    }
    String cl = req.getHeader("Content-Length");
    if (cl != null) {
      try {
        return Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        throw ImagoException.badRequest("Invalid Content-Length");
      }
    }
    return -1;
  }

  /** {@code GET /file} → 200, 206, or 204 when there is no data. */
  public void download(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String id = rc.pathParam("image_id");
    HttpServerRequest req = rc.request();
    RangeRequest range = size -> RangeHeader.parse(req.getHeader("Range"), req.getHeader("Content-Range"), size);
    lookups.forAction(caller, id, Action.DOWNLOAD_IMAGE, "You are not authorized to complete download_image action.")
        .compose(image -> downloads.open(image, caller, range))
        .compose(download -> send(rc, download))
        .onFailure(e -> {
          if (!rc.response().headWritten()) {
            rc.fail(e);
            return;
          }
          // The client went away mid-body (or the store failed mid-body): the response is over and
          // cannot carry an error any more; the connection has been reset.
          Routes.requestOver(rc);
          LOG.atInfo().setMessage("download interrupted").addKeyValue("request_id", caller.requestId())
              .addKeyValue("image_id", id).addKeyValue("reason", e.getMessage()).log();
        });
  }

  private Future<Void> send(RoutingContext rc, Download download) {
    HttpServerResponse resp = rc.response();
    if (!(download instanceof Content c)) {
      resp.setStatusCode(204).end();
      return Future.succeededFuture();
    }
    if (c.partial()) {
      resp.setStatusCode(206).putHeader("Content-Range",
          "bytes " + c.offset() + "-" + (c.offset() + c.length() - 1) + "/" + c.size());
    } else {
      resp.setStatusCode(200);
    }
    resp.putHeader("Content-Type", OCTET_STREAM).putHeader("Accept-Ranges", "bytes")
        .putHeader("Content-Length", Long.toString(c.length()));
    if (c.checksum() != null) {
      resp.putHeader("Content-MD5", c.checksum());
    }
    Runnable counted = lifecycle.downloadStarted();
    // The download ends exactly once, however the client leaves (issue 10, part 5): when the body
    // completes or fails, when sending throws because the connection closed while the file was
    // being opened, or when the connection closes first — Vert.x 5.0 may then never complete a
    // sendFile, and the open file would wait for the garbage collector.
    AtomicBoolean over = new AtomicBoolean();
    java.util.function.Consumer<Boolean> end = complete -> {
      if (over.compareAndSet(false, true)) {
        counted.run();
        c.end().ended(complete);
      }
    };
    Runnable unwatch = ConnectionGuard.onClose(rc.request().connection(), () -> end.accept(false));
    Future<Void> sent;
    try {
      sent = body(rc.request(), resp, c);
    } catch (RuntimeException e) { // "Response is closed" and the like: the client is gone
      sent = Future.failedFuture(e);
    }
    return sent.andThen(ar -> {
      unwatch.run();
      end.accept(ar.succeeded());
      if (ar.failed() && resp.headWritten() && !resp.ended() && !resp.closed()) {
        resp.reset();
      }
    });
  }

  /**
   * Kernel sendfile of the open file for HTTP/1.1; HTTP/2 cannot send an open file in Vert.x 5.0
   * (DEPENDENCIES.md G8) and is sent by path, which copies; a stream is piped with back-pressure.
   */
  private static Future<Void> body(HttpServerRequest req, HttpServerResponse resp, Content c) {
    if (c.body() instanceof LocalFile f) {
      return req.version() == HttpVersion.HTTP_2
          ? resp.sendFile(f.path().toString(), c.offset(), c.length())
          : resp.sendFile(f.file(), c.offset(), c.length());
    }
    // a source failing mid-body must not end the response (pipeTo would, short of its
    // Content-Length, leaving the client waiting): it is reset in send()
    return ((Stream) c.body()).bytes().pipe().endOnFailure(false).to(resp);
  }
}
