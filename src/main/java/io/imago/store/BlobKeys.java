package io.imago.store;

import java.util.regex.Pattern;

/** Keys are plain names (image ids and the like): no separators, no dot files, bounded length. */
public final class BlobKeys {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

  private BlobKeys() {}

  /** Whether {@code key} is a well-formed key (a file of that name in a store can be a blob). */
  public static boolean valid(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  public static String require(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("blob key: " + key + " (expected: [A-Za-z0-9._-], 1..200 chars, no leading dot)");
    }
    return key;
  }
}
