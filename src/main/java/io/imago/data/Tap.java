package io.imago.data;

import java.nio.ByteBuffer;

/**
 * One observer of the single pass over an upload's bytes: it sees every byte in order, may fail the
 * upload, and ends in a typed result read from {@link TapResults} by the tap itself. Size counting
 * and the digests are taps; format inspection and signature verification are more of them, added
 * without touching the pass ({@link SinglePass}).
 *
 * <p>A tap is used by one upload, from one thread at a time: an {@linkplain #inline() inline} tap on
 * the upload's event loop, any other on its own lane of the hashing pool, in order, never on an
 * event loop ({@link TapLane}). Throwing from {@link #accept} or {@link #result} fails the upload
 * with that exception: an {@link io.imago.domain.ImagoException} reaches the client as its kind
 * says (a format refusal is a 415, an over-size upload a 413).
 */
public interface Tap<R> {
  /** What the result is, for logs and errors: {@code size}, {@code checksum}, {@code os_hash_value}, … */
  String name();

  /**
   * Whether {@link #accept} costs next to nothing per byte (counting, looking at a header), so that
   * it runs on the event loop with each buffer as it arrives, and can stop an upload at once. Taps
   * that read every byte (digests) are not inline.
   */
  default boolean inline() {
    return false;
  }

  /** The next bytes, from position to limit; the buffer is the tap's own view, not to be changed. */
  void accept(ByteBuffer bytes);

  /** Called once after the last byte; what the tap found. */
  R result();
}
