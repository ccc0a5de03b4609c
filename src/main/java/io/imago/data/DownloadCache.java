package io.imago.data;

import io.imago.domain.Image;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.function.Supplier;

/**
 * What the download use case asks of the node cache ({@code cache.NodeCache} implements it; the
 * interface lives here so that {@code data} does not depend on {@code cache}). Only full downloads
 * of active images come here (spec/cache.md §2: Range requests neither use nor fill the cache).
 */
public interface DownloadCache {
  /** Whether the cache may serve or fill this image: active, with data and a checksum to verify. */
  boolean takes(Image image);

  /**
   * The image's bytes: the cached file (a hit), or a stream of the fill in progress, which the
   * first miss starts from {@code source} (a paused stream of the whole image from its store) and
   * every later one joins. Fails as {@code source} does when no fill can start (store down).
   */
  Future<Cached> open(Image image, Supplier<Future<ReadStream<Buffer>>> source);

  /**
   * A cached download: its body, and what to call once when the response is over ({@code true}
   * if every byte went out), which releases what the body holds.
   */
  record Cached(Download.Body body, Download.Ending end) {}
}
