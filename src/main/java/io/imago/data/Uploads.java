package io.imago.data;

import static java.util.Objects.requireNonNull;

import io.imago.data.Receiver.Reception;
import io.imago.db.ImageRepository.UploadResult;
import io.imago.db.BlobGarbageRepository;
import io.imago.db.DatabaseErrors;
import io.imago.db.ImageRepository;
import io.imago.domain.Caller;
import io.imago.fault.FaultPoints;
import io.imago.domain.ErrorKind;
import io.imago.domain.Image;
import io.imago.domain.ImagoException;
import io.imago.domain.Location;
import io.imago.metrics.Metrics;
import io.imago.quota.Quotas;
import io.imago.store.BlobLocation;
import io.imago.store.InstrumentedStore;
import io.imago.store.StoreException;
import io.imago.store.StoreRegistry;
import io.imago.store.UnknownStoreException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload use case (spec/images-api.md §4.6): admit → start (status, quotas) → receive (the
 * single pass into the target store) → finish (checks, publish) or abort (compensation). It knows
 * images, quotas and stores, not HTTP: {@code PUT /file} calls it now, {@code PUT /stage} and import
 * tasks will with {@link UploadFlow}s of their own. Whoever calls it has authorised the caller.
 *
 * <p>Every failure leaves the image where its flow puts it back (queued for {@code PUT /file}) and
 * nothing in the store; the failure is an {@link ImagoException} of the kind Glance answers
 * (store full → 413, store unavailable → 503, client gone → 400, image deleted meanwhile → 410).
 */
public final class Uploads {
  private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);

  /** Extra taps for an upload, chosen by image (signature verification, next); format inspection has its own. */
  @FunctionalInterface
  public interface TapSource extends Function<Image, List<Tap<?>>> {
    TapSource NONE = image -> List.of();
  }

  /**
   * One upload.
   *
   * @param image the image, authorised for upload by the caller
   * @param declaredSize {@code x-openstack-image-size} or {@code Content-Length}; -1 when unknown
   * @param store the target store's id ({@code X-Image-Meta-Store}), or null for the default store
   * @param body the bytes, paused
   * @param accepted called once the upload is admitted and about to read the body (HTTP's
   *     {@code 100 Continue} goes out here)
   */
  public record Request(Image image, Caller caller, long declaredSize, String store, ReadStream<Buffer> body,
      Runnable accepted) {
    public Request {
      requireNonNull(image, "image");
      requireNonNull(caller, "caller");
      requireNonNull(body, "body");
      requireNonNull(accepted, "accepted");
    }
  }

  private final Receiver receiver;
  private final ImageRepository images;
  private final BlobGarbageRepository garbage;
  private final Duration orphanGrace;
  private final Quotas quotas;
  private final StoreRegistry stores;
  private final UploadRegistry running;
  private final Metrics metrics;
  private final String nodeId;
  private final long imageSizeCap;
  private final FormatInspection inspection;
  private final TapSource extraTaps;
  private final UploadFlow fileFlow;

  /**
   * @param garbage where a publication is journalled until the image references it
   * @param orphanGrace how long a journalled publication may wait for that before its blob counts
   *     as orphaned (a crash between the two) and is deleted
   * @param inspection the format inspection every upload of a bare image gets (spec/security.md §4)
   */
  public Uploads(Receiver receiver, ImageRepository images, BlobGarbageRepository garbage, Duration orphanGrace,
      Quotas quotas, StoreRegistry stores, UploadRegistry running, Metrics metrics, String nodeId, long imageSizeCap,
      FormatInspection inspection, TapSource extraTaps) {
    this.receiver = receiver;
    this.images = images;
    this.garbage = garbage;
    this.orphanGrace = orphanGrace;
    this.quotas = quotas;
    this.stores = stores;
    this.running = running;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.imageSizeCap = imageSizeCap;
    this.inspection = requireNonNull(inspection, "inspection");
    this.extraTaps = extraTaps;
    this.fileFlow = UploadFlow.file(images);
  }

  /**
   * What is checked before the image is even loaded, in Glance's order: the size cap and
   * {@code image_size_total} against the declared size (spec/security.md §5.2), then the target
   * store named by {@code storeId} (null: the default).
   */
  public Future<Void> admit(Caller caller, long declaredSize, String storeId) {
    if (declaredSize > imageSizeCap) {
      return Future.failedFuture(ImagoException.tooLarge("Image size %d exceeds the image size cap of %d bytes",
          declaredSize, imageSizeCap));
    }
    return quotas.checkUploadSize(caller.projectId(), declaredSize).map(v -> {
      target(storeId);
      return null;
    });
  }

  /** Runs {@code PUT /file}: the image is active when the future succeeds. */
  public Future<Image> upload(Request req) {
    return run(req, fileFlow);
  }

  /**
   * The store an upload goes to: the one named (multi-store only: Glance ignores the header
   * otherwise), else the default. An unknown name is Glance's 400.
   */
  InstrumentedStore target(String storeId) {
    if (storeId == null || !stores.multiStore()) {
      return stores.defaultStore();
    }
    try {
      return stores.enabled(storeId).store();
    } catch (UnknownStoreException e) {
      throw ImagoException.badRequest("Unknown scheme '%s' found in URI", storeId); // glance_store's UnknownScheme
    }
  }

  private Future<Image> run(Request req, UploadFlow flow) {
    long t0 = System.nanoTime();
    InstrumentedStore store;
    try {
      store = target(req.store());
      Image image = req.image();
      if (image.diskFormat() == null || image.containerFormat() == null) {
        throw ImagoException.badRequest("Properties disk_format, container_format must be set prior to saving data.");
      }
      image.status().requireTransition(flow.receiving());
    } catch (ImagoException e) {
      log(req, null, t0, null, e);
      return Future.failedFuture(e);
    }
    return start(req, flow, store).andThen(ar -> log(req, store, t0, ar.result(), ar.cause()));
  }

  private Future<Image> start(Request req, UploadFlow flow, InstrumentedStore store) {
    String id = req.image().id();
    return flow.begin(id, nodeId)
        .compose(begun -> begun.map(Future::succeededFuture).orElseGet(() -> lostRace(id, flow)))
        // Once receiving, the image counts as uploading: image_count_uploading or user_storage_quota
        // refuse it before the body is read (no 100 Continue), and it goes back.
        .compose(receiving -> quotas.checkUploadStarted(req.caller().projectId(), id, req.declaredSize())
            .recover(e -> abort(flow, id, e).map(Quotas.NO_QUOTA))
            .compose(quota -> receiveAndFinish(req, flow, receiving, store, quota)));
  }

  private Future<Image> receiveAndFinish(Request req, UploadFlow flow, Image receiving, InstrumentedStore store,
      long quota) {
    String id = receiving.id();
    String project = req.caller().projectId();
    UploadLimits limits = quota == Quotas.NO_QUOTA ? new UploadLimits(imageSizeCap, req.declaredSize())
        : new UploadLimits(imageSizeCap, req.declaredSize(), quota, n -> Quotas.storageQuotaFull(n, quota));
    long t0 = System.nanoTime();
    metrics.uploadStarted();
    req.accepted().run();
    CancelOnDrain cancel = new CancelOnDrain();
    Tap<FormatInspection.Verdict> format = inspection.tap(receiving.diskFormat(), receiving.containerFormat());
    Runnable done = running.uploadStarted(cancel);
    if (running.draining()) {
      cancel.run();
    }
    // Data an earlier, interrupted upload of this image left under its key is nobody's (the image
    // was queued): it goes, and so do pending deletions of the key, which must not hit our data.
    return garbage.forget(store.id(), id)
        .compose(v -> store.delete(id))
        .compose(v -> store.create(id))
        .compose(writer -> {
          Reception reception = receiver.receive(req.body(), writer, limits, taps(receiving, format),
              () -> garbage.journalPublication(store.id(), id, id, orphanGrace));
          cancel.set(reception.cancel());
          return reception.result();
        })
        .compose(received -> quotas.recheckStored(project, id, received.size())
            .recover(e -> discard(store, received.location(), e))
            .compose(v -> finish(flow, receiving, store, received, format)))
        .recover(e -> abort(flow, id, e))
        .andThen(ar -> {
          metrics.uploadEnded(ar.succeeded(), System.nanoTime() - t0);
          done.run();
        });
  }

  private List<Tap<?>> taps(Image receiving, Tap<FormatInspection.Verdict> format) {
    List<Tap<?>> taps = new ArrayList<>(extraTaps.apply(receiving));
    if (format != null) {
      taps.add(format);
    }
    return taps;
  }

  /** Publishes the upload, conditional on the image still receiving; if it went away, its data goes too. */
  private Future<Image> finish(UploadFlow flow, Image receiving, InstrumentedStore store, Received r,
      Tap<FormatInspection.Verdict> format) {
    if (receiving.checksum() != null && !receiving.checksum().equals(r.checksum())) {
      return discard(store, r.location(), ImagoException.badRequest(
          "Uploaded data does not match the image's checksum %s", receiving.checksum()));
    }
    // the inspection's virtual size (none for a container format Glance does not inspect)
    Long virtualSize = format == null ? null : r.taps().get(format).virtualSize();
    UploadResult result = new UploadResult(r.size(), r.checksum(), r.hashAlgo(), r.hashValue(), virtualSize,
        location(r.location()));
    return Future.<Void>succeededFuture()
        .map(v -> {
          FaultPoints.reach(FaultPoints.UPLOAD_PUBLISHED);
          return v;
        })
        .compose(v -> flow.complete(receiving.id(), result))
        .recover(e -> unpublish(receiving.id(), store, r.location(), e))
        .compose(done -> done.map(Future::succeededFuture)
        // deleted (or otherwise taken away) while we streamed: the bytes belong to nobody
        .orElseGet(() -> discard(store, r.location(), new ImagoException(ErrorKind.GONE, "Image %s could not be found"
            + " after upload. The image may have been deleted during the upload.", receiving.id()))));
  }

  /**
   * The activation failed (the database): if the image is known not to reference the data, the
   * data goes now; if that cannot be told (the database is still down, or the commit went through
   * and only its answer was lost) it stays, journalled, for the sweeper to decide after the grace
   * period — deleting it here could leave an active image without data.
   */
  private Future<Optional<Image>> unpublish(String id, InstrumentedStore store, BlobLocation location, Throwable cause) {
    return images.find(id).transform(found -> {
      boolean referenced = found.failed() || found.result().map(i -> i.locations().stream()
          .anyMatch(l -> l.store().equals(location.store()) && l.key().equals(location.key()))).orElse(false);
      return referenced ? Future.failedFuture(cause) : discard(store, location, cause);
    });
  }

  /** The image's record of where its data is; in multi-store mode it names the store, as Glance's does. */
  private Location location(BlobLocation b) {
    return new Location(b.store(), b.key(), stores.multiStore() ? Map.of("store", b.store()) : Map.of());
  }

  private static <T> Future<T> discard(InstrumentedStore store, BlobLocation location, Throwable cause) {
    return store.delete(location.key()).transform(x -> Future.failedFuture(cause));
  }

  /** After a failed upload: the flow puts the image back; 410 if the image was deleted meanwhile. */
  private Future<Image> abort(UploadFlow flow, String id, Throwable cause) {
    if (cause instanceof ImagoException ie && ie.kind() == ErrorKind.GONE) {
      return Future.failedFuture(cause);
    }
    return flow.revert(id).transform(ar -> {
      if (ar.failed()) {
        LOG.atError().setMessage("could not put the image back after a failed upload")
            .addKeyValue("image_id", id).setCause(ar.cause()).log();
      } else if (ar.result().isEmpty()) {
        // not receiving any more: deleted meanwhile (410), or somebody else's business now
        return images.find(id).transform(found -> found.succeeded() && found.result().isEmpty()
            ? Future.failedFuture(new ImagoException(ErrorKind.GONE, "Image %s was deleted during the upload.", id))
            : Future.failedFuture(translate(cause)));
      }
      return Future.failedFuture(translate(cause));
    });
  }

  /** A client that stopped sending is the client's problem; a store failure is ours (503), a full one 413. */
  static Throwable translate(Throwable e) {
    if (e instanceof ImagoException) {
      return e;
    }
    if (e instanceof UploadInterruptedException) {
      return ImagoException.badRequest("The upload was interrupted: %s", String.valueOf(e.getCause().getMessage()));
    }
    var fromDatabase = DatabaseErrors.translate(e);
    if (fromDatabase.isPresent()) {
      return fromDatabase.get();
    }
    StoreException se = StoreException.find(e);
    if (se != null) {
      // The store's own message names paths and hosts: it goes to the log (as the cause), not to clients.
      return switch (se.kind()) {
        case NO_SPACE -> new ImagoException(ErrorKind.TOO_LARGE, Map.of(), se, "Image storage media is full: %s",
            "There is not enough disk space on the image storage media."); // glance_store's StorageFull
        case READ_ONLY -> new ImagoException(ErrorKind.GONE, Map.of(), se, "Error in store configuration. Adding"
            + " images to store is disabled.");
        default -> new ImagoException(ErrorKind.UNAVAILABLE, Map.of(), se, "Error storing image data in store '%s'.",
            se.store());
      };
    }
    return new ImagoException(ErrorKind.UNAVAILABLE, Map.of(), e, "Error storing image data.");
  }

  private Future<Image> lostRace(String id, UploadFlow flow) {
    return images.find(id).compose(found -> Future.failedFuture(found
        .map(i -> ImagoException.conflict("Image status transition from %s to %s is not allowed",
            i.status().wire(), flow.receiving().wire()))
        .orElseGet(() -> ImagoException.imageNotFound(id))));
  }

  private static void log(Request req, InstrumentedStore store, long t0, Image done, Throwable failure) {
    var event = LOG.atInfo().setMessage(failure == null ? "upload complete" : "upload failed")
        .addKeyValue("request_id", req.caller().requestId()).addKeyValue("image_id", req.image().id());
    if (store != null) {
      event = event.addKeyValue("store", store.id());
    }
    event = failure == null ? event.addKeyValue("bytes", done.size()) : event.addKeyValue("reason", failure.getMessage());
    event.addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log();
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
}
