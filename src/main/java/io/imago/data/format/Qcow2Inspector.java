package io.imago.data.format;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * qcow2: a big-endian header at 0 (qemu's docs/interop/qcow2.txt). The safety checks are the
 * CVE-2024-32498 ones: no backing file (qemu would open any path named there), no external data
 * file (incompatible feature bit 2), nothing but versions 2 and 3 and no incompatible feature qemu
 * may know and we do not (bits 4 and up).
 */
final class Qcow2Inspector extends Inspector {
  static final byte[] MAGIC = {'Q', 'F', 'I', (byte) 0xFB};
  private static final long KNOWN_INCOMPATIBLE = 0xF; // dirty, corrupt, external data file, compression type
  private static final long DATA_FILE = 1 << 2;
  private final Region header = region(0, 512);
  private Region backingName;

  @Override
  String name() {
    return "qcow2";
  }

  @Override
  Boolean verdict() {
    Boolean sig = signature(header, MAGIC);
    return Boolean.TRUE.equals(sig) && !header.complete() ? null : sig;
  }

  @Override
  void parse() {
    if (backingName == null && header.complete() && startsWith(header, MAGIC)) {
      ByteBuffer h = be(header);
      long offset = h.getLong(8);
      long length = Integer.toUnsignedLong(h.getInt(16));
      if (offset >= header.length && offset < Long.MAX_VALUE / 2 && length > 0 && length <= 1023) {
        backingName = optional(offset, (int) length);
      }
    }
  }

  @Override
  Long virtualSize(long total) {
    return size(be(header).getLong(24));
  }

  @Override
  Map<String, String> safetyFailures() {
    ByteBuffer h = be(header);
    Map<String, String> f = failures();
    long backing = h.getLong(8);
    if (backing != 0) {
      f.put("backing_file", "Image has a backing file" + backingName());
    }
    int version = h.getInt(4);
    long incompatible = version >= 3 ? h.getLong(0x48) : 0;
    if ((incompatible & DATA_FILE) != 0) {
      f.put("data_file", "Image has data_file set");
    }
    if (version != 2 && version != 3) {
      f.put("unknown_features", "Unsupported qcow2 version " + Integer.toUnsignedString(version));
    } else if ((incompatible & ~KNOWN_INCOMPATIBLE) != 0) {
      f.put("unknown_features", "Unknown QCOW2 features found (incompatible features 0x"
          + Long.toHexString(incompatible) + ")");
    }
    return f;
  }

  /** The backing file's name, printable, when the stream held all of it. */
  private String backingName() {
    if (backingName == null || !backingName.complete()) {
      return "";
    }
    StringBuilder printable = new StringBuilder();
    for (byte b : backingName.array()) {
      printable.append(b >= 0x20 && b < 0x7F ? (char) b : '?');
    }
    return " (" + printable + ")";
  }
}
