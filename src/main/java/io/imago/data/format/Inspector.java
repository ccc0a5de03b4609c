package io.imago.data.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One format's view of the stream (spec/security.md §4.1): it keeps only the regions it asks for,
 * decides as early as it can whether the bytes are its format, and once the stream has ended gives
 * the virtual size and the failures of its safety checks. Fed in order, from one thread; throws
 * only {@link ImageFormatException} for bytes it cannot accept as its format.
 */
abstract class Inspector {
  private final List<Region> regions = new ArrayList<>();
  private final List<TailRegion> tails = new ArrayList<>();
  private final List<Region> optional = new ArrayList<>();

  /** The format's name, as {@code disk_format} and qemu-img call it. */
  abstract String name();

  /**
   * Whether the bytes so far are this format: {@code TRUE} once its signature is seen,
   * {@code FALSE} once they cannot be, {@code null} while it cannot tell.
   */
  abstract Boolean verdict();

  /** Every chunk, before the regions take theirs (an inspector that looks at more than regions). */
  void see(long position, ByteBuffer chunk) {}

  /** After every chunk: parse what the regions hold, maybe ask for more regions. Must be idempotent. */
  void parse() {}

  /** The stream ended after {@code total} bytes: last parsing (a region that ends with the stream). */
  void end(long total) {}

  /** The virtual size, or null when this format's header does not give one. Called once matched and complete. */
  abstract Long virtualSize(long total);

  /** Each failed safety check by name, with its reason; empty when every check passed. */
  abstract Map<String, String> safetyFailures();

  final Region region(long offset, int length) {
    Region r = new Region(offset, length);
    regions.add(r);
    return r;
  }

  /**
   * A region that only makes a message better (a backing file's name): it never decides whether
   * the bytes match, so neither its absence nor a stream too short for it counts.
   */
  final Region optional(long offset, int length) {
    Region r = new Region(offset, length);
    optional.add(r);
    return r;
  }

  final TailRegion tail(int length) {
    TailRegion t = new TailRegion(length);
    tails.add(t);
    return t;
  }

  /** The next chunk of the stream, from {@code position} on; the chunk's own position is not moved. */
  final void accept(long position, ByteBuffer chunk) {
    see(position, chunk);
    int known;
    int knownOptional;
    do {
      known = regions.size();
      knownOptional = optional.size();
      for (int i = 0; i < known; i++) {
        regions.get(i).capture(position, chunk);
      }
      for (int i = 0; i < knownOptional; i++) {
        optional.get(i).capture(position, chunk);
      }
      parse();
      // regions asked for just now may start in this very chunk
    } while (regions.size() != known || optional.size() != knownOptional);
    for (TailRegion t : tails) {
      t.capture(chunk);
    }
    for (Region r : regions) {
      if (r.missed()) {
        throw new ImageFormatException(name() + ": a structure at offset " + r.offset
            + " lies before the data that points to it");
      }
    }
  }

  /** Every region this inspector asked for is filled (a tail region fills only when the stream ends). */
  final boolean complete() {
    for (Region r : regions) {
      if (!r.complete()) {
        return false;
      }
    }
    return true;
  }

  final boolean hasTail() {
    return !tails.isEmpty();
  }

  /** Bytes held in memory now. */
  int held() {
    int n = 0;
    for (Region r : regions) {
      n += r.held();
    }
    for (TailRegion t : tails) {
      n += t.held();
    }
    for (Region r : optional) {
      n += r.held();
    }
    return n;
  }

  static Map<String, String> failures() {
    return new LinkedHashMap<>();
  }

  static ByteBuffer le(Region r) {
    return r.bytes(ByteOrder.LITTLE_ENDIAN);
  }

  static ByteBuffer be(Region r) {
    return r.bytes(ByteOrder.BIG_ENDIAN);
  }

  static boolean startsWith(Region r, byte[] magic) {
    if (r.filled() < magic.length) {
      return false;
    }
    byte[] a = r.array();
    for (int i = 0; i < magic.length; i++) {
      if (a[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** {@code magic} is known to be there (TRUE), known not to be (FALSE), or not yet arrived (null). */
  static Boolean signature(Region r, byte[] magic) {
    int n = Math.min(r.filled(), magic.length);
    byte[] a = r.array();
    for (int i = 0; i < n; i++) {
      if (a[i] != magic[i]) {
        return Boolean.FALSE;
      }
    }
    return n == magic.length ? Boolean.TRUE : null;
  }

  /** A size that must be a non-negative long (an unsigned 64-bit field past 2^63 is not a size). */
  static Long size(long unsigned) {
    return unsigned < 0 ? null : unsigned;
  }
}
