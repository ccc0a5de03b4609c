package io.imago.data;

/**
 * Where running uploads are known, so that a graceful shutdown can cancel them and wait for their
 * clean-up (the application's lifecycle implements it).
 */
public interface UploadRegistry {
  /** Whether the node is shutting down: a new upload is cancelled as soon as it starts. */
  boolean draining();

  /**
   * Registers an upload's cancel action (callable from any thread). The upload counts as in flight
   * until the returned action (idempotent) runs, which the use case does only after its clean-up.
   */
  Runnable uploadStarted(Runnable cancel);
}
