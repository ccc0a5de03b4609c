package io.imago.data.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * VHDX (MS-VHDX): "vhdxfile" at 0; the region table at 192 KiB names the metadata region, whose
 * table names the Virtual Disk Size item, a little-endian u64. Three hops through the stream, each
 * captured as it passes; the tables are bounded at 2047 entries (64 KiB each), as qemu bounds them.
 */
final class VhdxInspector extends Inspector {
  static final int TABLE_BYTES = 64 * 1024;
  private static final byte[] METADATA_REGION = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E");
  private static final byte[] VIRTUAL_DISK_SIZE = guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
  private final Region ident = region(0, 8);
  private final Region regionTable = region(192 * 1024, TABLE_BYTES);
  private Region metadata;
  private Region diskSize;

  @Override
  String name() {
    return "vhdx";
  }

  @Override
  Boolean verdict() {
    return signature(ident, "vhdxfile".getBytes(StandardCharsets.ISO_8859_1));
  }

  @Override
  void parse() {
    if (!Boolean.TRUE.equals(verdict())) {
      return; // not a structure of ours to read
    }
    if (metadata == null && regionTable.complete()) {
      ByteBuffer t = le(regionTable);
      if (t.getInt(0) != 0x69676572) { // "regi"
        throw new ImageFormatException("vhdx: region table signature not found at 0x30000");
      }
      long count = Integer.toUnsignedLong(t.getInt(8));
      if (count >= 2048) {
        throw new ImageFormatException("vhdx: region count is " + count + " (limit 2047)");
      }
      for (int i = 0; i < count && metadata == null; i++) {
        int e = 16 + 32 * i;
        if (guidAt(t, e, METADATA_REGION)) {
          metadata = region(checkedOffset(t.getLong(e + 16)), TABLE_BYTES);
        }
      }
      if (metadata == null) {
        throw new ImageFormatException("vhdx: no metadata region in the region table");
      }
    }
    if (metadata != null && diskSize == null && metadata.filled() >= 32) {
      ByteBuffer m = le(metadata);
      if (!Arrays.equals(metadata.array(), 0, 8, "metadata".getBytes(StandardCharsets.ISO_8859_1), 0, 8)) {
        throw new ImageFormatException("vhdx: invalid signature of the metadata table");
      }
      int count = Short.toUnsignedInt(m.getShort(10));
      if (count >= 2048) {
        throw new ImageFormatException("vhdx: metadata item count is " + count + " (limit 2047)");
      }
      if (metadata.filled() < 32 + 32 * count) {
        return; // the rest of the table is still to come
      }
      for (int i = 0; i < count; i++) {
        int e = 32 + 32 * i;
        if (guidAt(m, e, VIRTUAL_DISK_SIZE)) {
          long itemOffset = Integer.toUnsignedLong(m.getInt(e + 16));
          long itemLength = Integer.toUnsignedLong(m.getInt(e + 20));
          if (itemLength < 8) {
            throw new ImageFormatException("vhdx: the virtual disk size item is " + itemLength + " bytes");
          }
          diskSize = region(metadata.offset + itemOffset, 8);
          return;
        }
      }
      throw new ImageFormatException("vhdx: no virtual disk size in the metadata table");
    }
  }

  @Override
  Long virtualSize(long total) {
    return size(le(diskSize).getLong(0));
  }

  @Override
  Map<String, String> safetyFailures() {
    return failures();
  }

  private static long checkedOffset(long offset) {
    if (offset < 0 || offset > Long.MAX_VALUE / 2) {
      throw new ImageFormatException("vhdx: metadata region offset out of range");
    }
    return offset;
  }

  private static boolean guidAt(ByteBuffer b, int at, byte[] guid) {
    for (int i = 0; i < 16; i++) {
      if (b.get(at + i) != guid[i]) {
        return false;
      }
    }
    return true;
  }

  /** A Microsoft GUID's 16 bytes: the first three groups little-endian, the rest as written. */
  static byte[] guid(String text) {
    String hex = text.replace("-", "");
    byte[] raw = new byte[16];
    for (int i = 0; i < 16; i++) {
      raw[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    int[] order = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    byte[] out = new byte[16];
    for (int i = 0; i < 16; i++) {
      out[i] = raw[order[i]];
    }
    return out;
  }
}
