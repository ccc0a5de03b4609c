package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.data.ImageStores;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.Location;
import io.imago.domain.PropertyAccess;
import io.imago.policy.PropertyProtections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * An image as Glance renders it (spec/images-api.md §2): every base attribute present (null when
 * unset), custom properties flattened into the same object, second-precision UTC timestamps.
 */
public final class ImageView {
  /** Internal properties Glance keeps out of every response. */
  private static final Set<String> HIDDEN_PROPERTIES = Set.of("os_glance_stage_host", "os_glance_hash_op_host");
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final ImagesConfig config;
  private final ImageStores stores;
  private final PropertyProtections protections;

  public ImageView(ImagesConfig config, ImageStores stores, PropertyProtections protections) {
    this.config = config;
    this.stores = stores;
    this.protections = protections;
  }

  public static String timestamp(Instant i) {
    return i == null ? null : TIMESTAMP.format(i.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * @param mayReadLocations whether {@code get_image_location} allows the caller to see locations
   */
  public JsonObject render(Image i, Caller caller, boolean mayReadLocations) {
    JsonObject o = new JsonObject();
    o.put("id", i.id());
    o.put("name", i.name());
    o.put("status", i.status().wire());
    o.put("visibility", i.visibility().wire());
    o.put("protected", i.isProtected());
    o.put("os_hidden", i.osHidden());
    o.put("owner", i.owner());
    o.put("container_format", i.containerFormat());
    o.put("disk_format", i.diskFormat());
    o.put("size", i.size());
    o.put("virtual_size", i.virtualSize());
    o.put("checksum", i.checksum());
    o.put("os_hash_algo", i.osHashAlgo());
    o.put("os_hash_value", i.osHashValue());
    o.put("min_ram", i.minRam());
    o.put("min_disk", i.minDisk());
    o.put("tags", new JsonArray(i.tags().stream().map(Object.class::cast).toList()));
    o.put("created_at", timestamp(i.createdAt()));
    o.put("updated_at", timestamp(i.updatedAt()));
    o.put("self", "/v2/images/" + i.id());
    o.put("file", "/v2/images/" + i.id() + "/file");
    o.put("schema", "/v2/schemas/image");
    // property protections: what the caller may not read is left out silently (security.md §2.2)
    PropertyAccess access = protections.forCaller(caller);
    i.properties().forEach((k, v) -> {
      if (!HIDDEN_PROPERTIES.contains(k) && access.mayRead(k)) {
        o.put(k, v);
      }
    });
    // Non-admins never see where a deactivated image's data is (spec §9): Glance empties its
    // locations for them.
    boolean deactivatedForCaller = !caller.admin() && i.status() == ImageStatus.DEACTIVATED;
    boolean showLocations = mayReadLocations && !deactivatedForCaller;
    if (config.showMultipleLocations()) {
      JsonArray locs = new JsonArray();
      if (showLocations) {
        for (Location l : i.locations()) {
          JsonObject md = new JsonObject();
          l.metadata().forEach(md::put);
          locs.add(new JsonObject().put("url", url(l)).put("metadata", md));
        }
      }
      o.put("locations", locs);
    }
    if (config.showImageDirectUrl() && showLocations && !i.locations().isEmpty()) {
      o.put("direct_url", url(i.locations().get(0)));
    }
    // multi-store: where the data is (spec §7), for everyone who sees the image, as Glance shows
    // it: it checks no policy when it renders an image (get_image_location guards only DELETE
    // /v2/stores), so callers see the stores of public and shared images they do not own. Store
    // ids are no secret (GET /v2/info/stores lists them to all). Glance derives them from the
    // locations, so a deactivated image shows non-admins none either.
    String inStores = deactivatedForCaller ? null : stores.storesOf(i);
    if (inStores != null) {
      o.put("stores", inStores);
    }
    return o;
  }

  /** The URL clients see for a location: the store renders it from the key. */
  String url(Location l) {
    return stores.url(l);
  }
}
