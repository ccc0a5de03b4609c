package io.imago.domain;

import java.util.Locale;
import java.util.Optional;

/** Image visibility (spec/images-api.md §5). */
public enum Visibility {
  PUBLIC,
  COMMUNITY,
  SHARED,
  PRIVATE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Visibility> parse(String s) {
    for (Visibility v : values()) {
      if (v.wire().equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
