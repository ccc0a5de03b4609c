package io.imago.data.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs every format's inspector over one stream, in one pass, chunk by chunk however the stream is
 * split (spec/security.md §4.1). An inspector leaves as soon as the bytes cannot be its format, and
 * stops being fed once it has all it needs, so after the first few hundred KiB a chunk costs next
 * to nothing; memory is bounded by {@link #MAX_HELD} whatever the bytes say. Not thread-safe: one
 * thread at a time, in stream order (a hashing lane).
 */
public final class FormatDetector {
  /** Every format recognised, Glance's {@code ALL_FORMATS}: raw is what matches when nothing else does. */
  public static final List<String> FORMATS =
      List.of("raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "qed", "iso", "gpt", "luks");

  /** The most the inspectors ever hold at once, in bytes (each region's bound, summed). */
  public static final int MAX_HELD = 512 // qcow2
      + 512 + 512 + 512 // qed, vhd, vdi
      + 8 + 2 * VhdxInspector.TABLE_BYTES + 8 // vhdx: ident, region table, metadata table, size
      + 512 + VmdkInspector.DESCRIPTOR_MAX + VmdkInspector.FOOTER_BYTES // vmdk (descriptor or text, not both)
      + 2048 + 512 + 208; // iso, gpt, luks

  private final List<Inspector> feeding = new ArrayList<>();
  private final List<Inspector> settled = new ArrayList<>();
  private final Map<String, String> excluded = new LinkedHashMap<>();
  private long position;
  private int peakHeld;
  private boolean finished;

  /** @param vmdkAllowedTypes {@code vmdk_allowed_types}: the VMDK create types that pass its descriptor check */
  public FormatDetector(Set<String> vmdkAllowedTypes) {
    feeding.add(new Qcow2Inspector());
    feeding.add(new SimpleInspectors.Vhd());
    feeding.add(new VhdxInspector());
    feeding.add(new VmdkInspector(vmdkAllowedTypes));
    feeding.add(new SimpleInspectors.Vdi());
    feeding.add(new SimpleInspectors.Qed());
    feeding.add(new SimpleInspectors.Iso());
    feeding.add(new SimpleInspectors.Gpt());
    feeding.add(new SimpleInspectors.Luks());
  }

  /** The next bytes of the stream, position to limit; the buffer is not moved. */
  public void accept(ByteBuffer bytes) {
    if (finished) {
      throw new IllegalStateException("detector: accept after finish");
    }
    int n = bytes.remaining();
    if (n == 0) {
      return;
    }
    if (!feeding.isEmpty()) {
      int held = 0;
      for (Iterator<Inspector> it = feeding.iterator(); it.hasNext(); ) {
        Inspector i = it.next();
        try {
          i.accept(position, bytes);
          Boolean verdict = i.verdict();
          if (Boolean.FALSE.equals(verdict)) {
            it.remove();
            continue;
          }
          if (Boolean.TRUE.equals(verdict) && i.complete() && !i.hasTail()) {
            it.remove();
            settled.add(i); // counted below
            continue;
          }
        } catch (ImageFormatException e) {
          it.remove();
          excluded.put(i.name(), e.getMessage());
          continue;
        }
        held += i.held();
      }
      for (Inspector i : settled) {
        held += i.held();
      }
      peakHeld = Math.max(peakHeld, held);
    }
    position += n;
  }

  /** The stream has ended: what it is. */
  public Detection finish() {
    finished = true;
    List<Detection.Match> matches = new ArrayList<>();
    List<Inspector> candidates = new ArrayList<>(settled);
    for (Inspector i : feeding) {
      try {
        i.end(position);
        Boolean verdict = i.verdict();
        if (Boolean.TRUE.equals(verdict) && i.complete()) {
          candidates.add(i);
        } else if (Boolean.TRUE.equals(verdict)) {
          excluded.put(i.name(), i.name() + ": the data ends before its headers do (" + position + " bytes)");
        }
      } catch (ImageFormatException e) {
        excluded.put(i.name(), e.getMessage());
      }
    }
    for (String format : FORMATS) {
      for (Inspector i : candidates) {
        if (i.name().equals(format)) {
          matches.add(new Detection.Match(format, i.virtualSize(position),
              Collections.unmodifiableMap(new LinkedHashMap<>(i.safetyFailures()))));
        }
      }
    }
    return new Detection(List.copyOf(matches), Collections.unmodifiableMap(new LinkedHashMap<>(excluded)), position,
        peakHeld);
  }

  /** The most bytes the inspectors held so far. */
  public int peakHeld() {
    return peakHeld;
  }
}
