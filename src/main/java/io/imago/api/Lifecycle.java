package io.imago.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tracks in-flight data transfers for graceful shutdown: once draining starts, new requests get
 * 503, running downloads may finish, running uploads are cancelled cleanly (their images return to
 * {@code queued} and their partial data is deleted).
 */
public final class Lifecycle {
  private final AtomicBoolean draining = new AtomicBoolean();
  private final Set<HttpServerRequest> downloads = ConcurrentHashMap.newKeySet();
  private final Set<Runnable> uploadCancellers = ConcurrentHashMap.newKeySet();
  private final Promise<Void> downloadsDone = Promise.promise();

  public boolean draining() {
    return draining.get();
  }

  /** Registers a download; returns a callback to run when it ends. */
  public Runnable downloadStarted(HttpServerRequest req) {
    downloads.add(req);
    return () -> {
      downloads.remove(req);
      if (draining.get() && downloads.isEmpty()) {
        downloadsDone.tryComplete();
      }
    };
  }

  /** Registers an upload's cancel action; returns a callback to run when it ends. */
  public Runnable uploadStarted(Runnable cancel) {
    uploadCancellers.add(cancel);
    return () -> uploadCancellers.remove(cancel);
  }

  /** Starts draining: cancels uploads and completes when every download has ended. */
  public Future<Void> drain() {
    draining.set(true);
    for (Runnable cancel : Set.copyOf(uploadCancellers)) {
      cancel.run();
    }
    if (downloads.isEmpty()) {
      downloadsDone.tryComplete();
    }
    return downloadsDone.future();
  }

  public int inFlightDownloads() {
    return downloads.size();
  }
}
