package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An image record (spec/images-api.md §2). Immutable: changes produce a new record, and
 * {@code db} writes it back conditionally on {@link #revision()} so that concurrent updates never
 * silently overwrite each other.
 *
 * @param properties custom properties, including Glance-internal {@code os_glance_*} ones
 * @param tags a set; insertion order is kept only so that output is stable
 * @param revision incremented by every write; the optimistic-concurrency token
 */
public record Image(
    String id,
    String name,
    ImageStatus status,
    Visibility visibility,
    boolean isProtected,
    boolean osHidden,
    String owner,
    String checksum,
    String osHashAlgo,
    String osHashValue,
    Long size,
    Long virtualSize,
    String containerFormat,
    String diskFormat,
    int minRam,
    int minDisk,
    Set<String> tags,
    Map<String, String> properties,
    List<Location> locations,
    Instant createdAt,
    Instant updatedAt,
    long revision) {

  public Image {
    requireNonNull(id, "id");
    requireNonNull(status, "status");
    requireNonNull(visibility, "visibility");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(updatedAt, "updatedAt");
    tags = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(requireNonNull(tags, "tags")));
    properties = java.util.Collections.unmodifiableMap(new TreeMap<>(requireNonNull(properties, "properties")));
    locations = List.copyOf(requireNonNull(locations, "locations"));
  }

  /** A new, queued image as {@code POST /v2/images} creates it before the request's attributes apply. */
  public static Image queued(String id, String owner, Instant now) {
    return new Image(id, null, ImageStatus.QUEUED, Visibility.SHARED, false, false, owner, null, null, null, null,
        null, null, null, 0, 0, Set.of(), Map.of(), List.of(), now, now, 0);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A mutable copy for multi-field edits (PATCH applies many operations to one builder). */
  public static final class Builder {
    public String id;
    public String name;
    public ImageStatus status;
    public Visibility visibility;
    public boolean isProtected;
    public boolean osHidden;
    public String owner;
    public String checksum;
    public String osHashAlgo;
    public String osHashValue;
    public Long size;
    public Long virtualSize;
    public String containerFormat;
    public String diskFormat;
    public int minRam;
    public int minDisk;
    public LinkedHashSet<String> tags;
    public TreeMap<String, String> properties;
    public List<Location> locations;
    public Instant createdAt;
    public Instant updatedAt;
    public long revision;

    private Builder(Image i) {
      id = i.id;
      name = i.name;
      status = i.status;
      visibility = i.visibility;
      isProtected = i.isProtected;
      osHidden = i.osHidden;
      owner = i.owner;
      checksum = i.checksum;
      osHashAlgo = i.osHashAlgo;
      osHashValue = i.osHashValue;
      size = i.size;
      virtualSize = i.virtualSize;
      containerFormat = i.containerFormat;
      diskFormat = i.diskFormat;
      minRam = i.minRam;
      minDisk = i.minDisk;
      tags = new LinkedHashSet<>(i.tags);
      properties = new TreeMap<>(i.properties);
      locations = i.locations;
      createdAt = i.createdAt;
      updatedAt = i.updatedAt;
      revision = i.revision;
    }

    public Image build() {
      return new Image(id, name, status, visibility, isProtected, osHidden, owner, checksum, osHashAlgo, osHashValue,
          size, virtualSize, containerFormat, diskFormat, minRam, minDisk, tags, properties, locations, createdAt,
          updatedAt, revision);
    }
  }
}
