package io.imago.data;

/**
 * The client's side of an upload failed (it disconnected, or sent a broken body) — as opposed to
 * the store's side. Tells the handler not to report the failure as a server error.
 */
public final class UploadInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UploadInterruptedException(Throwable cause) {
    super("the client stopped sending the upload: " + cause.getMessage(), cause, false, false);
  }
}
