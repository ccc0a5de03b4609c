package io.imago.cache;

import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.worker.Job;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the prefetch queue ({@code queue/} markers, kept across restarts) through the same fill
 * path as downloads: a {@link Job} kicked by every {@code PUT /v2/cache/{id}} and run periodically
 * for retries. At most {@code cache.prefetch_concurrency} images at once; a failed attempt is
 * retried with exponential back-off and its error shown by {@code GET /v2/cache}; an image that is
 * missing or not active stays queued (Glance's prefetcher skips it too) until it is dequeued.
 */
public final class Prefetcher implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(Prefetcher.class);

  /** Where a queued image's data comes from: its first configured store's stream, or null. */
  public interface Sources {
    Supplier<Future<ReadStream<Buffer>>> of(Image image);
  }

  private final NodeCache cache;
  private final Function<String, Future<Optional<Image>>> images;
  private final Sources sources;

  public Prefetcher(NodeCache cache, Function<String, Future<Optional<Image>>> images, Sources sources) {
    this.cache = cache;
    this.images = images;
    this.sources = sources;
  }

  @Override
  public String name() {
    return "cache-prefetcher";
  }

  @Override
  public Future<Integer> run() {
    Promise<Integer> pass = Promise.promise();
    int[] state = {0, 0}; // running, fetched
    next(pass, state);
    return pass.future();
  }

  /** Keeps up to the concurrency limit of attempts running until nothing is due. */
  private void next(Promise<Integer> pass, int[] state) {
    int free = cache.config().prefetchConcurrency() - state[0];
    for (String id : free > 0 ? cache.takeDue(free) : java.util.List.<String>of()) {
      state[0]++;
      fetch(id).onComplete(ar -> {
        state[0]--;
        if (ar.succeeded() && ar.result()) {
          state[1]++;
        }
        next(pass, state);
      });
    }
    if (state[0] == 0) {
      pass.tryComplete(state[1]);
    }
  }

  private Future<Boolean> fetch(String id) {
    return images.apply(id).compose(found -> {
      if (found.isEmpty() || found.get().status() == ImageStatus.DELETED) {
        // Glance leaves the marker too (the legacy API queues any id); DELETE /v2/cache/{id} removes it
        return Future.failedFuture(new CacheFillException("no such image"));
      }
      Image image = found.get();
      if (!cache.takes(image)) {
        return Future.failedFuture(new CacheFillException("image is " + image.status().name().toLowerCase()
            + (image.checksum() == null ? " without checksum" : "") + ", not cacheable now"));
      }
      Supplier<Future<ReadStream<Buffer>>> source = sources.of(image);
      if (source == null) {
        return Future.failedFuture(new CacheFillException("no configured store holds the image's data"));
      }
      return cache.fill(image, source).compose(v -> cache.dequeue(id)).map(v -> {
        LOG.atInfo().setMessage("prefetched").addKeyValue("image_id", id).log();
        return true;
      });
    }).recover(e -> {
      cache.prefetchFailed(id, String.valueOf(e.getMessage()));
      LOG.atWarn().setMessage("prefetch failed; will retry").addKeyValue("image_id", id)
          .addKeyValue("reason", e.getMessage()).log();
      return Future.succeededFuture(false);
    });
  }
}
