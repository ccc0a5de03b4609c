package io.imago.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

/** The guard the integration tests rely on really fails a blocking call on an event loop. */
class BlockingGuardTest {
  @Test
  void sleepingOnAnEventLoopIsCaught() {
    Blocking.install();
    Vertx vertx = Vertx.vertx();
    try {
      Promise<Throwable> caught = Promise.promise();
      vertx.runOnContext(v -> {
        try {
          Thread.sleep(1);
          caught.complete(null);
        } catch (Throwable t) {
          caught.complete(t);
        }
      });
      assertThat(caught.future().await()).isInstanceOf(Blocking.BlockingOnEventLoopError.class);

      Promise<Throwable> onWorker = Promise.promise();
      vertx.executeBlocking(() -> {
        Thread.sleep(1);
        return null;
      }).onComplete(ar -> onWorker.complete(ar.cause()));
      assertThat(onWorker.future().await()).as("workers may block").isNull();
    } finally {
      vertx.close().await();
    }
  }
}
