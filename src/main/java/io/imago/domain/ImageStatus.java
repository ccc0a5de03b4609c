package io.imago.domain;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The image status machine, copied from Glance's {@code valid_state_targets}
 * (spec/images-api.md §3.1). Every status write in {@code db} is a conditional update from one of
 * these transitions.
 */
public enum ImageStatus {
  QUEUED,
  SAVING,
  UPLOADING,
  IMPORTING,
  ACTIVE,
  DEACTIVATED,
  KILLED,
  PENDING_DELETE,
  DELETED;

  private static final Map<ImageStatus, Set<ImageStatus>> TARGETS = new EnumMap<>(ImageStatus.class);

  static {
    TARGETS.put(QUEUED, EnumSet.of(SAVING, UPLOADING, IMPORTING, ACTIVE, DELETED));
    TARGETS.put(SAVING, EnumSet.of(QUEUED, ACTIVE, KILLED, DELETED));
    TARGETS.put(UPLOADING, EnumSet.of(QUEUED, IMPORTING, DELETED));
    TARGETS.put(IMPORTING, EnumSet.of(QUEUED, ACTIVE, DELETED));
    TARGETS.put(ACTIVE, EnumSet.of(DEACTIVATED, PENDING_DELETE, DELETED));
    TARGETS.put(DEACTIVATED, EnumSet.of(ACTIVE, DELETED));
    TARGETS.put(KILLED, EnumSet.of(DELETED));
    TARGETS.put(PENDING_DELETE, EnumSet.of(ACTIVE, DELETED));
    TARGETS.put(DELETED, EnumSet.noneOf(ImageStatus.class));
  }

  /** The lower-case name Glance uses on the wire and in the database. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean canBecome(ImageStatus target) {
    return TARGETS.get(this).contains(target);
  }

  /** Statuses from which an image may reach {@code target}. */
  public static Set<ImageStatus> sourcesOf(ImageStatus target) {
    Set<ImageStatus> out = EnumSet.noneOf(ImageStatus.class);
    TARGETS.forEach((from, to) -> {
      if (to.contains(target)) {
        out.add(from);
      }
    });
    return out;
  }

  /**
   * Fails with {@link ErrorKind#CONFLICT} unless this status may become {@code target} — the
   * upload and stage paths' rule (spec §3.1: 409 "Image status transition … is not allowed").
   */
  public void requireTransition(ImageStatus target) {
    if (!canBecome(target)) {
      throw ImagoException.conflict("Image status transition from %s to %s is not allowed", wire(), target.wire());
    }
  }

  /** Statuses in which the image has no data to download (spec §4.7: 204). */
  public boolean hasNoData() {
    return this == QUEUED || this == SAVING || this == UPLOADING || this == IMPORTING;
  }

  public static ImageStatus fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
