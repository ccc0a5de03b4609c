package io.imago.data.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A region of the stream an inspector keeps, {@code [offset, offset + length)}, captured across
 * any split of the stream into chunks. Its bytes are allocated when the first of them arrives, so
 * a region that the stream never reaches costs nothing. The stream is seen once, in order: a
 * region created after its start went by can never complete, and says so ({@link #missed()}).
 */
final class Region {
  final long offset;
  final int length;
  private byte[] data;
  private int filled;
  private boolean missed;

  Region(long offset, int length) {
    if (offset < 0 || length < 0) {
      throw new ImageFormatException("region at " + offset + " of " + length + " bytes");
    }
    this.offset = offset;
    this.length = length;
  }

  /** Takes what of {@code chunk} (its position..limit is the stream from {@code position} on) falls in this region. */
  void capture(long position, ByteBuffer chunk) {
    if (complete() || missed) {
      return;
    }
    long next = offset + filled; // the next byte this region needs
    long end = position + chunk.remaining();
    if (position > next) {
      missed = true;
      return;
    }
    long to = Math.min(end, offset + length);
    if (next >= to) {
      return;
    }
    if (data == null) {
      data = new byte[length];
    }
    int n = (int) (to - next);
    chunk.get(chunk.position() + (int) (next - position), data, filled, n);
    filled += n;
  }

  boolean complete() {
    return filled == length;
  }

  /** The region began before the stream position at which it was asked for. */
  boolean missed() {
    return missed;
  }

  int filled() {
    return filled;
  }

  /** Bytes held in memory. */
  int held() {
    return data == null ? 0 : data.length;
  }

  /** The captured bytes so far, in the given order (a view: absolute reads only). */
  ByteBuffer bytes(ByteOrder order) {
    return ByteBuffer.wrap(data == null ? new byte[0] : data, 0, filled).slice().order(order);
  }

  byte[] array() {
    return data == null ? new byte[0] : data;
  }
}
