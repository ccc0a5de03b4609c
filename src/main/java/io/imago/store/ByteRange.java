package io.imago.store;

/**
 * A resolved, satisfiable range of a blob of known size: {@code length} bytes from {@code offset}.
 */
public record ByteRange(long offset, long length) {
  public static final ByteRange ALL = new ByteRange(0, Long.MAX_VALUE);

  public ByteRange {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset: " + offset + ", length: " + length + " (expected: >= 0)");
    }
  }

  /** The last byte's offset, inclusive, as in {@code Content-Range}. */
  public long last() {
    return offset + length - 1;
  }

  public boolean isAll() {
    return offset == 0 && length == Long.MAX_VALUE;
  }
}
