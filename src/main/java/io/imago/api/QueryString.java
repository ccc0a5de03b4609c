package io.imago.api;

import io.imago.domain.ImagoException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Query strings the way Glance (WebOb's {@code parse_qsl_text} and Python's
 * {@code urlencode}) reads and writes them — not Vert.x's decoder, whose parameter map ignores
 * the case of names and whose treatment of {@code ;} differs.
 */
public final class QueryString {
  private QueryString() {}

  /**
   * The parameters in request order: pairs separated by {@code &} or {@code ;}, empty pieces
   * skipped, {@code +} is a space, a name without {@code =} has the value {@code ""}, invalid
   * percent escapes stay as written; names and values must be UTF-8 (else 400).
   */
  public static List<Map.Entry<String, String>> parse(String rawQuery) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String piece : rawQuery.split("[&;]")) {
      if (piece.isEmpty()) {
        continue;
      }
      int eq = piece.indexOf('=');
      String name = eq < 0 ? piece : piece.substring(0, eq);
      String value = eq < 0 ? "" : piece.substring(eq + 1);
      out.add(Map.entry(decode(name), decode(value)));
    }
    return out;
  }

  private static String decode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        bytes.write(' ');
      } else if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        bytes.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else if (c < 0x100) {
        bytes.write(c); // the request line as bytes (ISO-8859-1), as WSGI hands it to WebOb
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    return strictUtf8(bytes.toByteArray(), "Query string is not valid UTF-8.");
  }

  /** Decodes UTF-8, refusing malformed input with a 400 carrying {@code message}. */
  static String strictUtf8(byte[] bytes, String message) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ImagoException.badRequest(message);
    }
  }

  private static int hex(char c) {
    return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
  }

  /**
   * Python's {@code urlencode} of a mapping: {@code name=value} joined by {@code &}, each part
   * UTF-8 percent-encoded except letters, digits and {@code _.-~}, a space as {@code +}.
   */
  public static String encode(Iterable<Map.Entry<String, String>> params) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> p : params) {
      if (out.length() > 0) {
        out.append('&');
      }
      quotePlus(out, p.getKey());
      out.append('=');
      quotePlus(out, p.getValue());
    }
    return out.toString();
  }

  private static void quotePlus(StringBuilder out, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
          || c == '-' || c == '~') {
        out.append((char) c);
      } else if (c == ' ') {
        out.append('+');
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
  }
}
