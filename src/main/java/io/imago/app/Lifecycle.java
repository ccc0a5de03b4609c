package io.imago.app;

import io.imago.api.InFlight;
import io.imago.data.UploadRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What graceful shutdown needs to know: the requests in flight, and how to cancel uploads. Once
 * draining starts, new requests get 503, running uploads are cancelled cleanly (their images
 * return to {@code queued}, their partial data is deleted) and every other request in flight —
 * downloads above all — may finish. Thread-safe: requests of all event loops report here.
 */
public final class Lifecycle implements InFlight, UploadRegistry {
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger downloads = new AtomicInteger();
  private final Set<Runnable> uploadCancellers = ConcurrentHashMap.newKeySet();
  private final Promise<Void> idle = Promise.promise();

  @Override
  public boolean draining() {
    return draining.get();
  }

  @Override
  public Runnable requestStarted() {
    inFlight.incrementAndGet();
    AtomicBoolean ended = new AtomicBoolean();
    return () -> {
      if (ended.compareAndSet(false, true) && inFlight.decrementAndGet() == 0 && draining.get()) {
        idle.tryComplete();
      }
    };
  }

  @Override
  public Runnable downloadStarted() {
    downloads.incrementAndGet();
    AtomicBoolean ended = new AtomicBoolean();
    return () -> {
      if (ended.compareAndSet(false, true)) {
        downloads.decrementAndGet();
      }
    };
  }

  /**
   * Registers an upload's cancel action. The upload counts as in flight, like a request, until the
   * returned action (idempotent) runs — which the handler does only after its cleanup, so that a
   * drain never closes the database under an upload that is still putting its image back.
   */
  @Override
  public Runnable uploadStarted(Runnable cancel) {
    uploadCancellers.add(cancel);
    Runnable asRequest = requestStarted();
    return () -> {
      uploadCancellers.remove(cancel);
      asRequest.run();
    };
  }

  /** Starts draining: cancels uploads; completes when no request is in flight any more. */
  public Future<Void> drain() {
    draining.set(true);
    for (Runnable cancel : Set.copyOf(uploadCancellers)) {
      cancel.run();
    }
    if (inFlight.get() == 0) {
      idle.tryComplete();
    }
    return idle.future();
  }

  public int inFlightRequests() {
    return inFlight.get();
  }

  public int inFlightDownloads() {
    return downloads.get();
  }
}
