package io.imago.data.format;

import java.nio.ByteBuffer;

/** The last {@code length} bytes of the stream, in a ring: complete once the stream has ended. */
final class TailRegion {
  final int length;
  private final byte[] ring;
  private long seen;

  TailRegion(int length) {
    this.length = length;
    this.ring = new byte[length];
  }

  void capture(ByteBuffer chunk) {
    int n = chunk.remaining();
    int skip = Math.max(0, n - length);
    int from = chunk.position() + skip;
    long at = seen + skip;
    int left = n - skip;
    while (left > 0) {
      int slot = (int) (at % length);
      int k = Math.min(left, length - slot);
      chunk.get(from, ring, slot, k);
      from += k;
      at += k;
      left -= k;
    }
    seen += n;
  }

  /** The last bytes in stream order; fewer than {@code length} if the stream was shorter. */
  byte[] bytes() {
    int n = (int) Math.min(seen, length);
    byte[] out = new byte[n];
    long start = seen - n;
    for (int i = 0; i < n; i++) {
      out[i] = ring[(int) ((start + i) % length)];
    }
    return out;
  }

  int held() {
    return length;
  }
}
