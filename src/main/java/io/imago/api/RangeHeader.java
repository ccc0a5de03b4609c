package io.imago.api;

import io.imago.data.RangeRequest.Full;
import io.imago.data.RangeRequest.Multiple;
import io.imago.data.RangeRequest.Outcome;
import io.imago.data.RangeRequest.Partial;
import io.imago.data.RangeRequest.Unsatisfiable;
import io.imago.store.ByteRange;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a download's {@code Range} header (or the legacy {@code Content-Range} request header
 * Glance also honours) against the image size, with Glance's outcomes (spec/images-api.md §4.7):
 * one range → 206, several → 400, unparsable or unsatisfiable → 416.
 */
public final class RangeHeader {
  private static final Pattern SINGLE = Pattern.compile("^\\s*(\\d*)\\s*-\\s*(\\d*)\\s*$");
  private static final Pattern LEGACY = Pattern.compile("^\\s*bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)\\s*$");

  private RangeHeader() {}

  /**
   * @param range the {@code Range} header, or null
   * @param legacyContentRange the request's {@code Content-Range} header, or null
   */
  public static Outcome parse(String range, String legacyContentRange, long size) {
    if (range != null) {
      return parseRange(range, size);
    }
    if (legacyContentRange != null) {
      return parseLegacy(legacyContentRange, size);
    }
    return new Full();
  }

  static Outcome parseRange(String header, long size) {
    String h = header.trim();
    int eq = h.indexOf('=');
    if (eq < 0 || !h.substring(0, eq).trim().equalsIgnoreCase("bytes")) {
      return new Unsatisfiable();
    }
    String spec = h.substring(eq + 1);
    if (spec.indexOf(',') >= 0) {
      return new Multiple();
    }
    Matcher m = SINGLE.matcher(spec);
    if (!m.matches()) {
      return new Unsatisfiable();
    }
    String a = m.group(1);
    String b = m.group(2);
    try {
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return new Unsatisfiable();
        }
        long suffix = Long.parseLong(b);
        if (suffix == 0 || size == 0) {
          return new Unsatisfiable();
        }
        long len = Math.min(suffix, size);
        return new Partial(new ByteRange(size - len, len));
      }
      long first = Long.parseLong(a);
      if (first >= size) {
        return new Unsatisfiable();
      }
      long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
      if (last < first) {
        return new Unsatisfiable();
      }
      last = Math.min(last, size - 1);
      return new Partial(new ByteRange(first, last - first + 1));
    } catch (NumberFormatException e) {
      return new Unsatisfiable(); // more digits than a long holds
    }
  }

  static Outcome parseLegacy(String header, long size) {
    Matcher m = LEGACY.matcher(header);
    if (!m.matches()) {
      return new Unsatisfiable();
    }
    try {
      long first = Long.parseLong(m.group(1));
      long last = Long.parseLong(m.group(2));
      if (last < first || first >= size || last >= size) {
        return new Unsatisfiable();
      }
      return new Partial(new ByteRange(first, last - first + 1));
    } catch (NumberFormatException e) {
      return new Unsatisfiable();
    }
  }
}
