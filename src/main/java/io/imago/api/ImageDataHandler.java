package io.imago.api;

import io.imago.data.ClientBody;
import io.imago.data.Received;
import io.imago.data.UploadInterruptedException;
import io.imago.data.UploadLimits;
import io.imago.data.Uploads.Upload;
import io.imago.db.ImageRepository.UploadResult;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.domain.Location;
import io.imago.policy.Action;
import io.imago.quota.Quotas;
import io.imago.store.BlobStore;
import io.imago.store.BlobWriter;
import io.imago.store.ByteRange;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code PUT|GET /v2/images/{id}/file}: upload and download (spec/images-api.md §4.6, §4.7). */
public final class ImageDataHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ImageDataHandler.class);
  private static final String OCTET_STREAM = "application/octet-stream";

  private final Services s;
  private final ImageLookups lookups;

  public ImageDataHandler(Services s) {
    this.s = s;
    this.lookups = new ImageLookups(s.images(), s.policy());
  }

  // ---------------------------------------------------------------------------------------------
  // upload

  /** {@code PUT /file} → 204. The request arrives paused (see {@link Callers#authenticate}). */
  public void upload(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    ClientBody body = Routes.body(rc);
    Caller caller = Callers.writer(rc);
    String id = rc.pathParam("image_id");
    requireOctetStream(req);
    long declared = declaredSize(req);
    long cap = s.config().images().imageSizeCap();
    if (declared > cap) {
      throw ImagoException.tooLarge("Image size %d exceeds the image size cap of %d bytes", declared, cap);
    }
    long t0 = System.nanoTime();
    // Glance checks image_size_total before it even loads the image (spec/security.md §5.2).
    s.quotas().checkUploadSize(caller.projectId(), declared)
        .compose(v -> lookups.forAction(caller, id, Action.UPLOAD_IMAGE,
            "You are not authorized to complete upload_image action."))
        .compose(image -> {
          requireFormats(image);
          image.status().requireTransition(ImageStatus.SAVING);
          return s.images().startUpload(id, s.config().nodeId());
        })
        .compose(started -> started.map(Future::succeededFuture).orElseGet(() -> conflictAfterLostRace(id)))
        // Once saving, the image counts as uploading: image_count_uploading or user_storage_quota
        // refuse it before the body is read (no 100 Continue), and it goes back to queued.
        .compose(saving -> s.quotas().checkUploadStarted(caller.projectId(), id, declared)
            .recover(e -> abort(id, e).map(Quotas.NO_QUOTA))
            .map(quota -> new Started(saving, quota)))
        .compose(started -> {
          Image saving = started.image();
          UploadLimits limits = started.quota() == Quotas.NO_QUOTA ? new UploadLimits(cap, declared)
              : new UploadLimits(cap, declared, started.quota(), n -> Quotas.storageQuotaFull(n, started.quota()));
          s.metrics().uploadStarted();
          if ("100-continue".equalsIgnoreCase(req.getHeader("Expect")) && req.version() != HttpVersion.HTTP_1_0) {
            req.response().writeContinue();
          }
          CancelOnDrain cancel = new CancelOnDrain();
          Runnable uploadDone = s.lifecycle().uploadStarted(cancel);
          if (s.lifecycle().draining()) {
            cancel.run();
          }
          return s.defaultStore().create(id)
              .compose(writer -> receive(body, writer, limits, cancel)
                  .compose(received -> recheckQuota(caller, id, writer, received))
                  .compose(received -> finish(saving, writer, received)))
              .recover(e -> abort(id, e))
              .andThen(ar -> {
                s.metrics().uploadEnded(ar.succeeded(), System.nanoTime() - t0);
                uploadDone.run();
              });
        })
        .onSuccess(image -> {
          LOG.atInfo().setMessage("upload complete").addKeyValue("request_id", caller.requestId())
              .addKeyValue("image_id", id).addKeyValue("bytes", image.size())
              .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log();
          ErrorMapper.endClosingUnreadBody(req, rc.response().setStatusCode(204), null);
        })
        .onFailure(e -> {
          LOG.atInfo().setMessage("upload failed").addKeyValue("request_id", caller.requestId())
              .addKeyValue("image_id", id).addKeyValue("reason", e.getMessage()).log();
          rc.fail(e);
        });
  }

  /** The image in saving, and the bytes the storage quota lets it store. */
  private record Started(Image image, long quota) {}

  /**
   * Glance re-checks {@code user_storage_quota} with the real size once the data is stored (parallel
   * uploads may each have fitted alone); over it, the stored data is deleted and the upload fails.
   */
  private Future<Received> recheckQuota(Caller caller, String id, BlobWriter writer, Received received) {
    return s.quotas().recheckStored(caller.projectId(), id, received.size())
        .map(received)
        .recover(e -> s.defaultStore().delete(writer.key()).transform(x -> Future.failedFuture(e)));
  }

  private Future<Received> receive(ClientBody body, BlobWriter writer, UploadLimits limits, CancelOnDrain cancel) {
    Upload upload = s.uploads().receive(body, writer, limits);
    cancel.set(upload.cancel());
    return upload.result();
  }

  /** Cancels the upload when the node drains, whether the drain comes before or after it streams. */
  private static final class CancelOnDrain implements Runnable {
    private Runnable cancel;
    private boolean requested;

    synchronized void set(Runnable c) {
      cancel = c;
      if (requested) {
        c.run();
      }
    }

    @Override
    public synchronized void run() {
      requested = true;
      if (cancel != null) {
        cancel.run();
      }
    }
  }

  /** Publishes the upload: saving → active, conditional; if the image went away, its data goes too. */
  private Future<Image> finish(Image saving, BlobWriter writer, Received r) {
    if (saving.checksum() != null && !saving.checksum().equals(r.checksum())) {
      return s.defaultStore().delete(writer.key()).transform(x -> Future.failedFuture(ImagoException.badRequest(
          "Uploaded data does not match the image's checksum %s", saving.checksum())));
    }
    // Format inspection (virtual size of qcow2, vmdk, …) is not implemented yet; raw data's
    // virtual size is its size, as Glance reports it.
    Long virtualSize = "raw".equals(saving.diskFormat()) ? r.size() : null;
    Location location = new Location(s.defaultStore().id(), writer.key(), Map.of());
    UploadResult result = new UploadResult(r.size(), r.checksum(), r.hashAlgo(), r.hashValue(), virtualSize, location);
    return s.images().finishUpload(saving.id(), result).compose(done -> {
      if (done.isPresent()) {
        return Future.succeededFuture(done.get());
      }
      // Deleted (or otherwise taken away) while we streamed: the bytes belong to nobody.
      return s.defaultStore().delete(writer.key()).transform(x -> Future.failedFuture(
          new ImagoException(ErrorKind.GONE, "Image %s could not be found after upload. The image may have been "
              + "deleted during the upload.", saving.id())));
    });
  }

  /** After a failed upload: saving → queued (size reset); 410 if the image was deleted meanwhile. */
  private Future<Image> abort(String id, Throwable cause) {
    if (cause instanceof ImagoException ie && ie.kind() == ErrorKind.GONE) {
      return Future.failedFuture(cause);
    }
    return s.images().abortUpload(id).transform(ar -> {
      if (ar.succeeded() && ar.result().isEmpty()) {
        return s.images().find(id).transform(found -> found.succeeded() && found.result().isEmpty()
            ? Future.failedFuture(new ImagoException(ErrorKind.GONE,
                "Image %s was deleted during the upload.", id))
            : Future.failedFuture(translate(cause)));
      }
      if (ar.failed()) {
        LOG.atError().setMessage("could not return image to queued after a failed upload")
            .addKeyValue("image_id", id).setCause(ar.cause()).log();
      }
      return Future.failedFuture(translate(cause));
    });
  }

  /** A client that stopped sending is the client's problem; a store failure is ours (503), a full one 413. */
  private static Throwable translate(Throwable e) {
    if (e instanceof ImagoException) {
      return e;
    }
    if (e instanceof UploadInterruptedException) {
      return ImagoException.badRequest("The upload was interrupted: %s", String.valueOf(e.getCause().getMessage()));
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.nio.file.FileSystemException fse && String.valueOf(fse.getReason()).contains("No space")) {
        return ImagoException.tooLarge("Image storage media is full: %s", fse.getReason());
      }
    }
    return new ImagoException(ErrorKind.UNAVAILABLE, Map.of(), e, "Error storing image data: %s", e.getMessage());
  }

  private Future<Image> conflictAfterLostRace(String id) {
    return s.images().find(id).compose(found -> Future.failedFuture(found
        .map(i -> ImagoException.conflict("Image status transition from %s to saving is not allowed",
            i.status().wire()))
        .orElseGet(() -> ImagoException.imageNotFound(id))));
  }

  private static void requireFormats(Image image) {
    if (image.diskFormat() == null || image.containerFormat() == null) {
      throw ImagoException.badRequest("Properties disk_format, container_format must be set prior to saving data.");
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

  // ---------------------------------------------------------------------------------------------
  // download

  /** {@code GET /file} → 200, 206, or 204 when there is no data. */
  public void download(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String id = rc.pathParam("image_id");
    lookups.forAction(caller, id, Action.DOWNLOAD_IMAGE, "You are not authorized to complete download_image action.")
        .compose(image -> {
          if (image.status() == ImageStatus.DEACTIVATED && !caller.admin()) {
            return Future.failedFuture(ImagoException.forbidden(
                "The requested image has been deactivated. Image data download is forbidden."));
          }
          if (image.status().hasNoData() || image.locations().isEmpty() || image.size() == null) {
            rc.response().setStatusCode(204).end();
            return Future.succeededFuture();
          }
          return send(rc, image);
        })
        .onFailure(e -> {
          if (!rc.response().headWritten()) {
            rc.fail(e);
            return;
          }
          // The client went away mid-body (or the store failed mid-body): the response is over and
          // cannot carry an error any more; the connection has been reset.
          Routes.requestOver(rc);
          LOG.atInfo().setMessage("download interrupted").addKeyValue("request_id", Callers.get(rc).requestId())
              .addKeyValue("image_id", id).addKeyValue("reason", e.getMessage()).log();
        });
  }

  private Future<Void> send(RoutingContext rc, Image image) {
    HttpServerRequest req = rc.request();
    HttpServerResponse resp = rc.response();
    long size = image.size();
    RangeHeader.Result range = RangeHeader.parse(req.getHeader("Range"), req.getHeader("Content-Range"), size);
    ByteRange bytes;
    if (range instanceof RangeHeader.Multiple) {
      return Future.failedFuture(ImagoException.badRequest("Multiple ranges are not supported."));
    } else if (range instanceof RangeHeader.Unsatisfiable) {
      return Future.failedFuture(new ImagoException(ErrorKind.RANGE_NOT_SATISFIABLE,
          Map.of("Content-Range", "bytes */" + size), null, "The Range requested is not available."));
    } else if (range instanceof RangeHeader.Partial p) {
      bytes = p.range();
      resp.setStatusCode(206).putHeader("Content-Range", "bytes " + bytes.offset() + "-" + bytes.last() + "/" + size);
    } else {
      bytes = new ByteRange(0, size);
      resp.setStatusCode(200);
    }
    resp.putHeader("Content-Type", OCTET_STREAM).putHeader("Accept-Ranges", "bytes")
        .putHeader("Content-Length", Long.toString(bytes.length()));
    if (image.checksum() != null) {
      resp.putHeader("Content-MD5", image.checksum());
    }
    Location location = image.locations().get(0);
    BlobStore store = s.stores().get(location.store());
    if (store == null) {
      return Future.failedFuture(new ImagoException(ErrorKind.UNAVAILABLE,
          "Image data of %s is in store '%s', which is not configured", image.id(), location.store()));
    }
    Runnable done = s.lifecycle().downloadStarted();
    s.metrics().downloadStarted();
    return store.localFile(location.key())
        .compose(file -> file.isPresent() ? sendFile(req, resp, file.get(), bytes) : stream(resp, store, location, bytes))
        .andThen(ar -> {
          done.run();
          s.metrics().downloadEnded();
          if (ar.succeeded()) {
            s.metrics().downloadBytes(bytes.length());
          } else if (resp.headWritten() && !resp.ended() && !resp.closed()) {
            resp.reset();
          }
        });
  }

  /**
   * Kernel sendfile for HTTP/1.1. The file is opened on the blocking pool (open(2) may block on a
   * busy disk) and the size checked on that same descriptor. HTTP/2 cannot send an open file in
   * Vert.x 5.0 (DEPENDENCIES.md G8) and is sent by path, which copies.
   */
  private Future<Void> sendFile(HttpServerRequest req, HttpServerResponse resp, Path path, ByteRange bytes) {
    if (req.version() == HttpVersion.HTTP_2) {
      return resp.sendFile(path.toString(), bytes.offset(), bytes.length());
    }
    return s.pools().blocking(() -> {
      RandomAccessFile raf = new RandomAccessFile(path.toFile(), "r");
      if (raf.length() < bytes.offset() + bytes.length()) {
        long actual = raf.length();
        raf.close();
        throw new IOException("stored data of " + path.getFileName() + " is " + actual + " bytes, expected at least "
            + (bytes.offset() + bytes.length()));
      }
      return raf;
    }).recover(e -> Future.failedFuture(new ImagoException(ErrorKind.UNAVAILABLE, Map.of(), e,
        "The image data is not available: %s", e.getMessage())))
        .compose(raf -> resp.sendFile(raf, bytes.offset(), bytes.length())
            .andThen(ar -> s.pools().blocking(() -> {
              raf.close();
              return null;
            })));
  }

  private Future<Void> stream(HttpServerResponse resp, BlobStore store, Location location, ByteRange bytes) {
    return store.read(location.key(), bytes).compose(body -> body.pipeTo(resp));
  }
}
