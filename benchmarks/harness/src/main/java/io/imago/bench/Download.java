package io.imago.bench;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads a response body without keeping it: counts the bytes (live, into a {@link Meter}), feeds
 * a digest if asked, and can read slowly, at most {@code bytesPerSecond}, by delaying its demand,
 * so the client's socket buffer fills and the server must hold the rest (the slow-clients case).
 */
final class Download implements Flow.Subscriber<List<ByteBuffer>> {
  /** What one download saw. */
  record Result(int status, long bytes, String digestHex, long firstByteNanos, String errorBody) {}

  private final CompletableFuture<Result> done = new CompletableFuture<>();
  private final int status;
  private final MessageDigest digest;
  private final Meter meter;
  private final long bytesPerSecond;
  private final ScheduledExecutorService timer;
  private final long start;
  private final java.util.function.BooleanSupplier stop;
  private Flow.Subscription sub;
  private long bytes;
  private long firstByte = -1;
  private final StringBuilder errorBody = new StringBuilder();

  private Download(int status, String digestAlgo, Meter meter, long bytesPerSecond, ScheduledExecutorService timer,
      long start, java.util.function.BooleanSupplier stop) {
    this.stop = stop;
    this.status = status;
    this.digest = digestAlgo == null || status / 100 != 2 ? null : Digests.get(digestAlgo);
    this.meter = meter;
    this.bytesPerSecond = bytesPerSecond;
    this.timer = timer;
    this.start = start;
  }

  /**
   * A body handler for one GET.
   *
   * @param digestAlgo {@code MD5}, {@code SHA-512} or null (count only)
   * @param bytesPerSecond 0 = as fast as possible
   */
  static HttpResponse.BodyHandler<Result> handler(String digestAlgo, Meter meter, long bytesPerSecond,
      ScheduledExecutorService timer) {
    return handler(digestAlgo, meter, bytesPerSecond, timer, () -> false);
  }

  /** As above; once {@code stop} is true the reader hangs up and reports what it has read. */
  static HttpResponse.BodyHandler<Result> handler(String digestAlgo, Meter meter, long bytesPerSecond,
      ScheduledExecutorService timer, java.util.function.BooleanSupplier stop) {
    long start = System.nanoTime();
    return info -> {
      Download d = new Download(info.statusCode(), digestAlgo, meter, bytesPerSecond, timer, start, stop);
      return new HttpResponse.BodySubscriber<>() {
        @Override
        public CompletionStage<Result> getBody() {
          return d.done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
          d.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
          d.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
          d.onError(t);
        }

        @Override
        public void onComplete() {
          d.onComplete();
        }
      };
    };
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    sub = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    if (firstByte < 0) {
      firstByte = System.nanoTime() - start;
    }
    long n = 0;
    for (ByteBuffer b : item) {
      n += b.remaining();
      if (status / 100 != 2) {
        if (errorBody.length() < 500) {
          errorBody.append(StandardCharsets.UTF_8.decode(b.duplicate()));
        }
      } else if (digest != null) {
        digest.update(b);
      }
    }
    bytes += n;
    if (meter != null && status / 100 == 2) {
      meter.bytes(n);
    }
    if (stop.getAsBoolean()) {
      sub.cancel();
      onComplete();
    } else if (bytesPerSecond > 0) {
      long delayMicros = n * 1_000_000L / bytesPerSecond;
      timer.schedule(() -> sub.request(1), delayMicros, TimeUnit.MICROSECONDS);
    } else {
      sub.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    if (stop.getAsBoolean() && !done.isDone()) {
      onComplete();
      return;
    }
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    if (done.isDone()) {
      return;
    }
    done.complete(new Result(status, bytes, digest == null ? null : HexFormat.of().formatHex(digest.digest()),
        firstByte, errorBody.toString()));
  }
}
