package io.imago.data;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A request body watched from the moment the request arrives. Its read errors are marked as the
 * client's ({@link UploadInterruptedException}), and an error that happens before anybody
 * listens — the client hangs up while the handler still talks to the database — is remembered and
 * delivered to the first listener instead of being dropped, which would leave the upload waiting
 * forever for bytes that never come.
 */
public final class ClientBody implements ReadStream<Buffer> {
  private final ReadStream<Buffer> body;
  private Handler<Throwable> exceptionHandler;
  private Throwable early;

  private ClientBody(ReadStream<Buffer> body) {
    this.body = body;
    body.exceptionHandler(this::onError);
  }

  /** Starts watching {@code body}; call in the same event-loop turn in which the request arrived. */
  public static ClientBody watch(ReadStream<Buffer> body) {
    return body instanceof ClientBody cb ? cb : new ClientBody(body);
  }

  private void onError(Throwable e) {
    UploadInterruptedException wrapped = new UploadInterruptedException(e);
    Handler<Throwable> h = exceptionHandler;
    if (h == null) {
      if (early == null) {
        early = wrapped;
      }
    } else {
      h.handle(wrapped);
    }
  }

  @Override
  public ClientBody exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    if (handler != null && early != null) {
      Throwable e = early;
      early = null;
      handler.handle(e);
    }
    return this;
  }

  @Override
  public ClientBody handler(Handler<Buffer> handler) {
    body.handler(handler);
    return this;
  }

  @Override
  public ClientBody pause() {
    body.pause();
    return this;
  }

  @Override
  public ClientBody resume() {
    body.resume();
    return this;
  }

  @Override
  public ClientBody fetch(long amount) {
    body.fetch(amount);
    return this;
  }

  @Override
  public ClientBody endHandler(Handler<Void> endHandler) {
    body.endHandler(endHandler);
    return this;
  }
}
