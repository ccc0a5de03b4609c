package io.imago.data;

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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The upload pipeline: request body → {@link DigestingSink} (count, limit, MD5, os_hash) → store
 * writer, in one {@code pipe} with back-pressure, then a durable commit. Any failure cancels the
 * writer, so a failed upload leaves no bytes behind.
 */
public final class Uploads {
  private final Pools pools;
  private final Metrics metrics;
  private final String hashAlgo;
  private final String hashDigestName;

  public Uploads(Pools pools, Metrics metrics, String hashAlgo, String hashDigestName) {
    this.pools = pools;
    this.metrics = metrics;
    this.hashAlgo = hashAlgo;
    this.hashDigestName = hashDigestName;
  }

  /** A running upload: its outcome, and a way to abort it from outside (shutdown), from any thread. */
  public record Upload(Future<Received> result, Runnable cancel) {}

  /**
   * Streams {@code body} (paused; ideally already {@link ClientBody#watch watched}) into {@code writer} and commits it. The result fails with
   * {@code TOO_LARGE} past {@code limits.maxBytes()} or {@code limits.quotaBytes()}, {@code BAD_REQUEST} when the byte count
   * differs from the declared size, or the body's or the store's own error; in every failure the
   * writer has been cancelled.
   */
  public Upload receive(ReadStream<Buffer> body, BlobWriter writer, UploadLimits limits) {
    List<MessageDigest> digests;
    try {
      digests = List.of(MessageDigest.getInstance("MD5"), MessageDigest.getInstance(hashDigestName));
    } catch (NoSuchAlgorithmException e) {
      return new Upload(Future.failedFuture(e), () -> { });
    }
    // The storage quota stops the stream like the size cap does, with its own 413 (Glance's
    // LimitingReader around the data when user_storage_quota is set).
    boolean quotaFirst = limits.quotaBytes() < limits.maxBytes();
    long limit = quotaFirst ? limits.quotaBytes() : limits.maxBytes();
    LongFunction<? extends Throwable> overLimit = quotaFirst ? limits.overQuota()
        : n -> ImagoException.tooLarge("Image exceeds the size limit of %d bytes", limits.maxBytes());
    DigestingSink sink = new DigestingSink(pools.hashing(), pools.hashingBatchesPerUpload(),
        DigestingSink.DEFAULT_BATCH_BYTES, writer, limit, overLimit, digests, metrics::uploadBytes);
    Future<Void> piped = ClientBody.watch(body).pipe().endOnComplete(false).to(sink);
    // A sink failure (size limit, cancel) must end the upload even if the client stops sending.
    Promise<Void> streamed = Promise.promise();
    piped.onComplete(ar -> {
      if (ar.succeeded()) {
        streamed.tryComplete();
      } else {
        streamed.tryFail(ar.cause());
      }
    });
    sink.failures().onFailure(streamed::tryFail);
    Future<Received> result = streamed.future()
        .compose(v -> sink.digests())
        .compose(d -> {
          long size = sink.count();
          if (limits.declaredSize() >= 0 && size != limits.declaredSize()) {
            return Future.failedFuture(ImagoException.badRequest(
                "Size of uploaded data (%d bytes) does not match the declared size (%d bytes)", size,
                limits.declaredSize()));
          }
          if (writer.bytesWritten() != size) {
            // Defence in depth: a batch lost between the digests and the store must never become
            // an active image with a checksum of bytes that are not there.
            return Future.failedFuture(new IllegalStateException(String.format(
                "the store took %d bytes of an upload of %d", writer.bytesWritten(), size)));
          }
          HexFormat hex = HexFormat.of();
          Received r = new Received(size, hex.formatHex(d.get(0)), hashAlgo, hex.formatHex(d.get(1)));
          return writer.commit().map(r);
        })
        .recover(e -> {
          sink.fail(e); // stop feeding the writer before it is cancelled
          return writer.cancel().transform(x -> Future.failedFuture(e));
        });
    // The sink belongs to this event loop; a cancel may come from any thread (shutdown).
    Context ctx = Vertx.currentContext();
    Runnable cancel = () -> ctx.runOnContext(v -> sink.fail(new ImagoException(
        io.imago.domain.ErrorKind.UNAVAILABLE, "The upload was cancelled because the service is shutting down.")));
    return new Upload(result, cancel);
  }
}
