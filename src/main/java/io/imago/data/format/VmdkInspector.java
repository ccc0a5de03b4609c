package io.imago.data.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * VMDK: a hosted sparse extent ("KDMV", little-endian header, its descriptor at 0x200) or a pure
 * text descriptor file. The descriptor is parsed cautiously (every line must be understood) because
 * qemu opens whatever files its extent lines name; only single-file sparse types pass, and a
 * stream-optimized file's footer must repeat its header.
 */
final class VmdkInspector extends Inspector {
  static final int DESCRIPTOR_OFFSET = 0x200;
  static final int DESCRIPTOR_MAX = (1 << 20) - 1; // qemu's bound too
  static final int FOOTER_BYTES = 1536;
  static final Set<String> SINGLE_FILE_TYPES = Set.of("monolithicsparse", "streamoptimized");
  private static final long GD_AT_END = -1L;
  private static final byte[] MAGIC = {'K', 'D', 'M', 'V'};

  private final Set<String> allowedTypes; // lower case
  // optional: a text descriptor may be shorter; a sparse file's descriptor region (required) follows it
  private final Region header = optional(0, 512);
  private Region descriptor;
  private TailRegion footer;
  private TextDescriptor text = new TextDescriptor();
  private boolean sparse;
  private String descriptorText;
  private String createType;

  /** @param allowedTypes the create types allowed ({@code vmdk_allowed_types}), any case */
  VmdkInspector(Set<String> allowedTypes) {
    this.allowedTypes = Set.copyOf(allowedTypes.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList());
  }

  @Override
  String name() {
    return "vmdk";
  }

  @Override
  Boolean verdict() {
    if (sparse) {
      return descriptor != null ? Boolean.TRUE : null;
    }
    if (text == null || text.notText) {
      return Boolean.FALSE;
    }
    if (text.ended) {
      return descriptorText != null;
    }
    return null;
  }

  @Override
  void parse() {
    if (!sparse && header.filled() >= 4 && text != null) {
      if (startsWith(header, MAGIC)) {
        sparse = true;
        text = null;
      }
    }
    if (sparse && descriptor == null && header.filled() >= 64) {
      ByteBuffer h = le(header);
      int version = h.getInt(4);
      if (version < 1 || version > 3) {
        throw new ImageFormatException("vmdk: unsupported format version " + Integer.toUnsignedString(version));
      }
      if (h.getLong(28) != DESCRIPTOR_OFFSET / 512) {
        throw new ImageFormatException("vmdk: wrong descriptor location");
      }
      long sectors = h.getLong(36);
      int length = sectors < 0 || sectors > DESCRIPTOR_MAX / 512 ? DESCRIPTOR_MAX : (int) sectors * 512;
      descriptor = region(DESCRIPTOR_OFFSET, length);
      if (h.getLong(56) == GD_AT_END) {
        footer = tail(FOOTER_BYTES);
      }
    }
    if (descriptor != null && descriptorText == null && descriptor.complete()) {
      read(descriptor.array(), descriptor.filled());
    }
  }

  /** Text mode sees every chunk, not only the header region. */
  @Override
  void see(long position, ByteBuffer chunk) {
    if (text != null && !sparse) {
      text.take(position, chunk);
      if (text.ended && descriptorText == null && !text.notText) {
        read(text.bytes, text.length);
      }
    }
  }

  @Override
  void end(long total) {
    if (text != null && !sparse && !text.ended) {
      text.ended = true;
      if (!text.notText) {
        read(text.bytes, text.length);
      }
    }
  }

  /** Parses a descriptor: the text before the first NUL, case-insensitive; its create type. */
  private void read(byte[] bytes, int length) {
    int end = 0;
    while (end < length && bytes[end] != 0) {
      end++;
    }
    String desc = new String(bytes, 0, end, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    int at = desc.indexOf("createtype=\"");
    String type = null;
    if (at >= 0) {
      int from = at + "createtype=\"".length();
      int to = desc.indexOf('"', from);
      if (to >= 0 && to - from < 64) {
        type = desc.substring(from, to);
      }
    }
    if (!sparse && type == null && !versionLineFirst(desc)) {
      return; // a text file, not a descriptor: no match
    }
    descriptorText = desc;
    createType = type == null ? "formatnotfound" : type;
  }

  /** qemu's probe for a text descriptor: the first line that is not a comment or blank is version=1|2|3. */
  private static boolean versionLineFirst(String desc) {
    for (String line : desc.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      return l.equals("version=1") || l.equals("version=2") || l.equals("version=3");
    }
    return false;
  }

  @Override
  Long virtualSize(long total) {
    if (!sparse || !SINGLE_FILE_TYPES.contains(createType)) {
      return null;
    }
    long sectors = le(header).getLong(12);
    return sectors < 0 || sectors > Long.MAX_VALUE / 512 ? null : sectors * 512;
  }

  @Override
  Map<String, String> safetyFailures() {
    Map<String, String> f = failures();
    String problem = descriptorProblem();
    if (problem == null && !sparse) {
      // a descriptor without its own extent: every extent it names is another file on the host
      problem = "Descriptor file without an embedded extent (its extents are other files)";
    }
    if (problem != null) {
      f.put("descriptor", problem);
    }
    if (footer != null) {
      String bad = footerProblem();
      if (bad != null) {
        f.put("footer", bad);
      }
    }
    return f;
  }

  private String descriptorProblem() {
    if (descriptorText == null) {
      return "No descriptor found";
    }
    if (!SINGLE_FILE_TYPES.contains(createType) || !allowedTypes.contains(createType)) {
      return "Unsupported subformat " + createType;
    }
    List<String> extents = new ArrayList<>();
    for (String raw : descriptorText.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("ddb")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq >= 0 && line.substring(0, eq).indexOf(' ') < 0) {
        continue; // key=value
      }
      String access = line.split(" ", -1)[0];
      if (access.equals("rw") || access.equals("rdonly") || access.equals("noaccess")) {
        extents.add(line);
      } else {
        return "Invalid VMDK descriptor data";
      }
    }
    for (String extent : extents) {
      if (extent.indexOf('/') >= 0) {
        return "Invalid extent filenames found";
      }
    }
    return extents.isEmpty() ? "No extents found" : null;
  }

  private String footerProblem() {
    byte[] tail = footer.bytes();
    if (tail.length < FOOTER_BYTES) {
      return "Footer missing";
    }
    ByteBuffer t = ByteBuffer.wrap(tail).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    ByteBuffer h = le(header);
    if (!Arrays.equals(tail, 512, 516, MAGIC, 0, 4)) {
      return "Header and footer signature do not match";
    }
    if (t.getInt(512 + 4) != h.getInt(4)) {
      return "Header and footer versions do not match";
    }
    if (t.getLong(512 + 28) != h.getLong(28) || t.getLong(512 + 36) != h.getLong(36)) {
      return "Footer specifies a different descriptor than header";
    }
    if (t.getLong(512 + 56) == GD_AT_END) {
      return "Footer indicates another footer";
    }
    if (t.getInt(8) != 0 || t.getInt(12) != 3 || !zeros(tail, 16, 512)) {
      return "Footer marker is invalid";
    }
    if (t.getLong(1024) != 0 || t.getInt(1032) != 0 || t.getInt(1036) != 0 || !zeros(tail, 1040, 1536)) {
      return "End-of-stream marker is invalid";
    }
    return null;
  }

  private static boolean zeros(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  int held() {
    return super.held() + (text == null ? 0 : text.bytes.length);
  }

  /**
   * The first bytes of the stream while they may be a text descriptor: printable ASCII and white
   * space, up to the first NUL or {@link #DESCRIPTOR_MAX} bytes; any other byte ends the idea.
   */
  private static final class TextDescriptor {
    byte[] bytes = new byte[0];
    int length;
    boolean ended;
    boolean notText;

    void take(long position, ByteBuffer chunk) {
      if (ended || notText) {
        return;
      }
      int skip = (int) Math.max(0, length - position);
      int from = chunk.position() + skip;
      int to = chunk.limit();
      if (position + skip != length || from >= to) {
        return;
      }
      for (int i = from; i < to; i++) {
        int c = chunk.get(i) & 0xFF;
        if (c == 0 || length == DESCRIPTOR_MAX) {
          ended = true;
          return;
        }
        if (!(c >= 0x20 && c < 0x7F) && c != '\n' && c != '\r' && c != '\t' && c != 0x0B && c != 0x0C) {
          notText = true;
          bytes = new byte[0];
          return;
        }
        if (length == bytes.length) {
          bytes = Arrays.copyOf(bytes, Math.min(DESCRIPTOR_MAX, Math.max(512, bytes.length * 2)));
        }
        bytes[length++] = (byte) c;
      }
    }
  }
}
