package io.imago.db;

import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.Location;
import io.imago.domain.Visibility;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Mapping between {@code images} rows and {@link Image}. */
final class ImageRows {
  /** Every column an {@link Image} is built from, in the order {@link #image(Row)} expects. */
  static final String COLUMNS = "id, name, status, visibility, protected, os_hidden, owner, checksum, os_hash_algo,"
      + " os_hash_value, size, virtual_size, container_format, disk_format, min_ram, min_disk, tags, properties,"
      + " locations, created_at, updated_at, revision";

  private ImageRows() {}

  static Image image(Row r) {
    String[] tagArray = r.getArrayOfStrings("tags");
    Set<String> tags = new LinkedHashSet<>(tagArray == null ? List.of() : List.of(tagArray));
    return new Image(
        r.getString("id"),
        r.getString("name"),
        ImageStatus.fromWire(r.getString("status")),
        Visibility.parse(r.getString("visibility")).orElseThrow(),
        r.getBoolean("protected"),
        r.getBoolean("os_hidden"),
        r.getString("owner"),
        r.getString("checksum"),
        r.getString("os_hash_algo"),
        r.getString("os_hash_value"),
        r.getLong("size"),
        r.getLong("virtual_size"),
        r.getString("container_format"),
        r.getString("disk_format"),
        r.getInteger("min_ram"),
        r.getInteger("min_disk"),
        tags,
        properties((JsonObject) r.getValue("properties")),
        locations((JsonArray) r.getValue("locations")),
        r.getOffsetDateTime("created_at").toInstant(),
        r.getOffsetDateTime("updated_at").toInstant(),
        r.getLong("revision"));
  }

  static Map<String, String> properties(JsonObject json) {
    Map<String, String> out = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(e -> out.put(e.getKey(), e.getValue() == null ? null : e.getValue().toString()));
    }
    return out;
  }

  static JsonObject propertiesJson(Map<String, String> props) {
    JsonObject o = new JsonObject();
    props.forEach(o::put);
    return o;
  }

  static List<Location> locations(JsonArray json) {
    List<Location> out = new ArrayList<>();
    if (json != null) {
      for (int i = 0; i < json.size(); i++) {
        JsonObject l = json.getJsonObject(i);
        Map<String, String> md = new LinkedHashMap<>();
        JsonObject m = l.getJsonObject("metadata");
        if (m != null) {
          m.forEach(e -> md.put(e.getKey(), String.valueOf(e.getValue())));
        }
        out.add(new Location(l.getString("store"), l.getString("key"), md));
      }
    }
    return out;
  }

  static JsonArray locationsJson(List<Location> locations) {
    JsonArray a = new JsonArray();
    for (Location l : locations) {
      JsonObject md = new JsonObject();
      l.metadata().forEach(md::put);
      a.add(new JsonObject().put("store", l.store()).put("key", l.key()).put("metadata", md));
    }
    return a;
  }

  static OffsetDateTime ts(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
