package io.imago.domain;

import java.util.Locale;
import java.util.Optional;

/** Status of an image member (spec/images-api.md §4.12). */
public enum MemberStatus {
  PENDING,
  ACCEPTED,
  REJECTED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<MemberStatus> parse(String s) {
    for (MemberStatus v : values()) {
      if (v.wire().equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
