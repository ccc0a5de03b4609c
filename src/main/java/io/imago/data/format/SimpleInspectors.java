package io.imago.data.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The formats whose header at a fixed offset says everything: qed, vhd, vdi, iso, gpt/mbr, luks. */
final class SimpleInspectors {
  private SimpleInspectors() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A signature at the start of a header region; a match once the whole region is there. */
  abstract static class HeaderInspector extends Inspector {
    final Region header;
    private final byte[] magic;

    HeaderInspector(long offset, int length, byte[] magic) {
      this.header = region(offset, length);
      this.magic = magic;
    }

    @Override
    Boolean verdict() {
      Boolean sig = signature(header, magic);
      return Boolean.TRUE.equals(sig) && !header.complete() ? null : sig;
    }

    @Override
    Map<String, String> safetyFailures() {
      return failures();
    }
  }

  /** QED: recognised so that it is refused; nobody boots it and nothing checks it. */
  static final class Qed extends HeaderInspector {
    Qed() {
      super(0, 512, new byte[] {'Q', 'E', 'D', 0});
    }

    @Override
    String name() {
      return "qed";
    }

    @Override
    Long virtualSize(long total) {
      return size(le(header).getLong(48)); // image_size, little-endian
    }

    @Override
    Map<String, String> safetyFailures() {
      Map<String, String> f = failures();
      f.put("banned", "This file format is not allowed");
      return f;
    }
  }

  /** VHD (qemu's vpc): the footer's copy at 0, "conectix", current size big-endian at 40. */
  static final class Vhd extends HeaderInspector {
    Vhd() {
      super(0, 512, ascii("conectix"));
    }

    @Override
    String name() {
      return "vhd";
    }

    @Override
    Long virtualSize(long total) {
      return size(be(header).getLong(40));
    }
  }

  /** VirtualBox VDI: signature 0xBEDA107F little-endian at 0x40, disk size at 0x170. */
  static final class Vdi extends Inspector {
    private final Region header = region(0, 512);

    @Override
    String name() {
      return "vdi";
    }

    @Override
    Boolean verdict() {
      if (header.filled() < 0x44) {
        return null;
      }
      if (le(header).getInt(0x40) != 0xBEDA107F) {
        return Boolean.FALSE;
      }
      return header.complete() ? Boolean.TRUE : null;
    }

    @Override
    Long virtualSize(long total) {
      return size(le(header).getLong(0x170));
    }

    @Override
    Map<String, String> safetyFailures() {
      return failures();
    }
  }

  /** ISO 9660 ("CD001") or UDF ("NSR02", "NSR03") volume descriptor at 32 KiB. */
  static final class Iso extends Inspector {
    private final Region descriptor = region(32 * 1024, 2048);

    @Override
    String name() {
      return "iso";
    }

    @Override
    Boolean verdict() {
      if (descriptor.filled() < 6) {
        return null;
      }
      String id = new String(descriptor.array(), 1, 5, StandardCharsets.ISO_8859_1);
      if (!id.equals("CD001") && !id.equals("NSR02") && !id.equals("NSR03")) {
        return Boolean.FALSE;
      }
      return descriptor.complete() ? Boolean.TRUE : null;
    }

    @Override
    Long virtualSize(long total) {
      ByteBuffer d = le(descriptor);
      if (d.get(0) != 1) { // not a primary volume descriptor: no size
        return null;
      }
      long blocks = Integer.toUnsignedLong(d.getInt(80));
      long blockSize = Short.toUnsignedInt(d.getShort(128));
      return blocks * blockSize;
    }

    @Override
    Map<String, String> safetyFailures() {
      return failures();
    }
  }

  /**
   * A partition table: the MBR signature 0xAA55 at 510, unless the sector is a FAT boot sector
   * (two FATs, fixed-disk media). GPT is recognised through its protective MBR.
   */
  static final class Gpt extends Inspector {
    private final Region mbr = region(0, 512);

    @Override
    String name() {
      return "gpt";
    }

    @Override
    Boolean verdict() {
      if (!mbr.complete()) {
        return null;
      }
      byte[] s = mbr.array();
      boolean fat = s[0x10] == 2 && (s[0x15] & 0xFF) == 0xF8;
      return le(mbr).getShort(510) == (short) 0xAA55 && !fat;
    }

    @Override
    Long virtualSize(long total) {
      return total;
    }

    @Override
    Map<String, String> safetyFailures() {
      Map<String, String> f = failures();
      String problem = mbrProblem(le(mbr));
      if (problem != null) {
        f.put("mbr", problem);
      }
      return f;
    }

    private static String mbrProblem(ByteBuffer s) {
      int defined = 0;
      boolean onlyFirst = true;
      boolean gpt = false;
      for (int i = 0; i < 4; i++) {
        int e = 446 + 16 * i;
        int boot = s.get(e) & 0xFF;
        if (boot != 0x00 && boot != 0x80) {
          return "MBR partition entry " + i + " has an invalid boot flag 0x" + Integer.toHexString(boot);
        }
        int type = s.get(e + 4) & 0xFF;
        if (type != 0) {
          defined++;
          onlyFirst &= i == 0;
        }
        if (type == 0xEE) {
          gpt = true;
          if ((s.get(e + 1) & 0xFF) != 0 || (s.get(e + 2) & 0xFF) != 2 || (s.get(e + 3) & 0xFF) != 0) {
            return "GPT MBR has invalid start CHS";
          }
          if (s.getInt(e + 8) != 1) {
            return "GPT MBR has invalid start LBA";
          }
        }
      }
      if (gpt && !(defined == 1 && onlyFirst)) {
        return "GPT MBR defines invalid extra partitions";
      }
      if (defined == 0) {
        return "GPT MBR has no partitions defined";
      }
      return null;
    }
  }

  /** LUKS: "LUKS\xba\xbe", version big-endian at 6, payload offset (sectors) at 104. Only version 1 is allowed. */
  static final class Luks extends HeaderInspector {
    Luks() {
      super(0, 208, new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE});
    }

    @Override
    String name() {
      return "luks";
    }

    @Override
    Long virtualSize(long total) {
      long payload = Integer.toUnsignedLong(be(header).getInt(104)) * 512;
      return total > payload ? total - payload : null;
    }

    @Override
    Map<String, String> safetyFailures() {
      Map<String, String> f = failures();
      int version = Short.toUnsignedInt(be(header).getShort(6));
      if (version != 1) {
        f.put("version", "LUKS version " + version + " is not supported");
      }
      return f;
    }
  }
}
