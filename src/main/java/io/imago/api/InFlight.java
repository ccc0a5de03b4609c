package io.imago.api;

/**
 * What the HTTP edge tells the node's lifecycle and asks of it (the application's graceful
 * shutdown implements it): requests and downloads in flight, and whether the node is draining,
 * when new requests get 503 and {@code /healthcheck} says {@code SHUTTING DOWN}.
 */
public interface InFlight {
  boolean draining();

  /** Counts a request in flight; the returned action (idempotent) ends it. */
  Runnable requestStarted();

  /** Counts a download in flight; the returned action (idempotent) ends it. */
  Runnable downloadStarted();
}
