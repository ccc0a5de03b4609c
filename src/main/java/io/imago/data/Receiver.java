package io.imago.data;

import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.imago.metrics.Metrics;
import io.imago.store.BlobWriter;
import io.imago.worker.Pools;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Moves one body into one store writer: body → {@link SinglePass} (size and limit, MD5,
 * {@code os_hash_algo}, any extra taps) → writer, in one {@code pipe} with back-pressure, then a
 * durable commit. Any failure cancels the writer, so a failed upload leaves no bytes behind. Knows
 * nothing of images: the use cases ({@link Uploads}, later staging and import) decide what the bytes
 * are for.
 */
public final class Receiver {
  private final Pools pools;
  private final Metrics metrics;
  private final String hashAlgo;
  private final String hashDigestName;

  public Receiver(Pools pools, Metrics metrics, String hashAlgo, String hashDigestName) {
    this.pools = pools;
    this.metrics = metrics;
    this.hashAlgo = hashAlgo;
    this.hashDigestName = hashDigestName;
  }

  /** A running reception: its outcome, and a way to abort it from outside (shutdown), from any thread. */
  public record Reception(Future<Received> result, Runnable cancel) {}

  /**
   * Streams {@code body} (paused; ideally already {@link ClientBody#watch watched}) into
   * {@code writer} and commits it. Call on the upload's event loop. The result fails with
   * {@code TOO_LARGE} past {@code limits.maxBytes()} or {@code limits.quotaBytes()},
   * {@code BAD_REQUEST} when the byte count differs from the declared size, a tap's failure, or the
   * body's or the store's own error; in every failure the writer has been cancelled.
   */
  public Reception receive(ReadStream<Buffer> body, BlobWriter writer, UploadLimits limits, List<Tap<?>> extraTaps) {
    return receive(body, writer, limits, extraTaps, () -> Future.succeededFuture());
  }

  /**
   * {@link #receive(ReadStream, BlobWriter, UploadLimits, List)} that runs {@code beforeCommit}
   * once every check passed and before the writer publishes the blob; its failure cancels the
   * writer like any other (the use case journals the publication there).
   */
  public Reception receive(ReadStream<Buffer> body, BlobWriter writer, UploadLimits limits, List<Tap<?>> extraTaps,
      Supplier<Future<?>> beforeCommit) {
    // The storage quota stops the stream like the size cap does, with its own 413 (Glance's
    // LimitingReader around the data when user_storage_quota is set).
    boolean quotaFirst = limits.quotaBytes() < limits.maxBytes();
    long limit = quotaFirst ? limits.quotaBytes() : limits.maxBytes();
    LongFunction<? extends RuntimeException> overLimit = quotaFirst ? limits.overQuota()
        : n -> ImagoException.tooLarge("Image exceeds the size limit of %d bytes", limits.maxBytes());
    Tap<Long> size = Taps.size(limit, overLimit);
    Tap<String> md5 = Taps.digest("checksum", "MD5");
    Tap<String> hash = Taps.digest("os_hash_value", hashDigestName);
    List<Tap<?>> taps = new ArrayList<>(List.of(size, Taps.meter(metrics::uploadBytes), md5, hash));
    taps.addAll(extraTaps);
    SinglePass pass = new SinglePass(pools.hashing(), pools.hashingBatchesPerUpload(),
        SinglePass.DEFAULT_BATCH_BYTES, writer, taps);
    Future<Void> piped = ClientBody.watch(body).pipe().endOnComplete(false).to(pass);
    // A pass failure (a tap, the size limit, a cancel) must end the upload even if the client stops sending.
    Promise<Void> streamed = Promise.promise();
    piped.onComplete(ar -> {
      if (ar.succeeded()) {
        streamed.tryComplete();
      } else {
        streamed.tryFail(ar.cause());
      }
    });
    pass.failures().onFailure(streamed::tryFail);
    Future<Received> result = streamed.future()
        .compose(v -> pass.finish())
        .compose(found -> {
          long n = found.get(size);
          if (limits.declaredSize() >= 0 && n != limits.declaredSize()) {
            return Future.failedFuture(ImagoException.badRequest(
                "Size of uploaded data (%d bytes) does not match the declared size (%d bytes)", n,
                limits.declaredSize()));
          }
          if (writer.bytesWritten() != n) {
            // Defence in depth: a batch lost between the taps and the store must never become
            // an active image with a checksum of bytes that are not there.
            return Future.failedFuture(new IllegalStateException(String.format(
                "the store took %d bytes of an upload of %d", writer.bytesWritten(), n)));
          }
          return beforeCommit.get().compose(v -> writer.commit()).map(location ->
              new Received(n, found.get(md5), hashAlgo, found.get(hash), location, found));
        })
        .recover(e -> {
          pass.fail(e); // stop feeding the writer before it is cancelled
          return writer.cancel().transform(x -> Future.failedFuture(e));
        });
    // The pass belongs to this event loop; a cancel may come from any thread (shutdown).
    Context ctx = Vertx.currentContext();
    Runnable cancel = () -> ctx.runOnContext(v -> pass.fail(new ImagoException(ErrorKind.UNAVAILABLE,
        "The upload was cancelled because the service is shutting down.")));
    return new Reception(result, cancel);
  }
}
