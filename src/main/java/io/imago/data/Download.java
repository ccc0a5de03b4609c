package io.imago.data;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * What a download sends ({@link Downloads#open}): nothing (the image has no data: 204), or the
 * bytes of a range of it, as a local file for zero-copy {@code sendFile} or as a paused stream.
 */
public sealed interface Download permits Download.NoData, Download.Content {
  /** The image has no data yet (queued, saving, uploading, importing) or no location: Glance's 204. */
  record NoData() implements Download {}

  /**
   * Bytes to send.
   *
   * @param size the image's size (for {@code Content-Range})
   * @param checksum its MD5 ({@code Content-MD5}), or null
   * @param offset first byte sent
   * @param length bytes sent ({@code Content-Length})
   * @param partial whether a range was asked for (206) rather than the whole image (200)
   * @param body where the bytes come from
   * @param end to call once when the response is over, {@code true} if every byte went out: it
   *     closes what the body holds and counts the download
   */
  record Content(long size, String checksum, long offset, long length, boolean partial, Body body, Ending end)
      implements Download {}

  /** Where a download's bytes come from. */
  sealed interface Body permits LocalFile, Stream {}

  /**
   * A local file (file store, node cache): {@code file} is open on the same inode that was checked
   * to hold the range; {@code path} is for transports that send by path (HTTP/2).
   */
  record LocalFile(Path path, RandomAccessFile file) implements Body {}

  /** A paused stream of exactly the range's bytes. */
  record Stream(ReadStream<Buffer> bytes) implements Body {}

  /** What the sender calls when the response is over. */
  @FunctionalInterface
  interface Ending {
    void ended(boolean complete);
  }
}
