package io.imago.data;

import io.imago.db.ImageRepository;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.domain.Location;
import io.imago.store.BlobStore;
import io.imago.store.StoreRegistry;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stores as the API shows them (spec/images-api.md §4.15, §4.16, §7): which are configured,
 * the URLs of locations, the {@code stores} attribute of images, and the use case that removes an
 * image's data from one store ({@code DELETE /v2/stores/{store_id}/{image_id}}).
 */
public final class ImageStores {
  /**
   * A configured store as {@code /v2/info/stores} and {@code /detail} describe it.
   *
   * @param description Glance's {@code store_description}, or null
   * @param properties the type's details shown to admins (file: {@code data_dir}, …)
   */
  public record StoreView(String id, String type, String description, int weight, boolean isDefault,
      Map<String, Object> properties) {}

  private final StoreRegistry stores;
  private final ImageRepository images;
  private final Runnable sweepNow;

  /** @param sweepNow asks the blob sweeper to delete queued garbage now */
  public ImageStores(StoreRegistry stores, ImageRepository images, Runnable sweepNow) {
    this.stores = stores;
    this.images = images;
    this.sweepNow = sweepNow;
  }

  /** Glance's multi-store mode ({@code enabled_backends} set). */
  public boolean multiStore() {
    return stores.multiStore();
  }

  /** The enabled stores in configuration order, without the reserved {@code os_glance_*} ones. */
  public List<StoreView> list() {
    List<StoreView> out = new ArrayList<>();
    BlobStore byDefault = stores.defaultStore();
    for (StoreRegistry.Entry e : stores.enabled()) {
      out.add(new StoreView(e.id(), e.store().type(), e.description(), e.weight(), e.store() == byDefault,
          e.store().properties()));
    }
    return out;
  }

  /** The URL clients see for a location, rendered by its store (or {@code <store>://<key>} if gone). */
  public String url(Location l) {
    return stores.contains(l.store()) ? stores.get(l.store()).url(l.key()) : l.store() + "://" + l.key();
  }

  /**
   * The image's {@code stores} attribute: the stores of its locations, in location order, comma
   * separated; null outside multi-store mode or without locations (Glance then leaves it out).
   */
  public String storesOf(Image image) {
    if (!stores.multiStore() || image.locations().isEmpty()) {
      return null;
    }
    return String.join(",", image.locations().stream().map(Location::store).distinct().toList());
  }

  /**
   * Refuses, before the image is loaded, what Glance refuses first: 404 outside multi-store mode,
   * 409 for a store that is not configured.
   */
  public void requireStore(String storeId) {
    if (!stores.multiStore()) {
      throw ImagoException.notFound("The resource could not be found.");
    }
    if (storeId == null || storeId.startsWith("os_glance_") || !stores.contains(storeId)) {
      throw ImagoException.conflict("The selected store %s is not available on this node.", storeId);
    }
  }

  /**
   * Removes the image's data from one store (the caller passed {@code get_image_location} and
   * {@code delete_image_location}), in Glance's order: 409 unless active, 403 if that is its only
   * store, 404 if it is not in that store. The location goes in the same transaction that queues
   * the bytes for the blob sweeper; a concurrent change of the image is retried on the new image.
   */
  public Future<Image> removeFrom(Image image, String storeId) {
    requireStore(storeId);
    if (image.status() != ImageStatus.ACTIVE) {
      return Future.failedFuture(ImagoException.conflict(
          "It's not allowed to remove image data from store if image status is not 'active'"));
    }
    if (image.locations().size() == 1) {
      return Future.failedFuture(ImagoException.forbidden(
          "Cannot delete image data from the only store containing it. Consider deleting the image instead."));
    }
    List<Location> kept = new ArrayList<>(image.locations());
    Location dropped = kept.stream().filter(l -> l.store().equals(storeId)).findFirst().orElse(null);
    if (dropped == null) {
      return Future.failedFuture(ImagoException.notFound("Image %s is not stored in store %s.", image.id(), storeId));
    }
    kept.remove(dropped);
    Image.Builder changed = image.toBuilder();
    changed.locations = List.copyOf(kept);
    return images.update(changed.build(), List.of(dropped)).compose(written -> {
      if (written.isEmpty()) {
        return images.find(image.id()).compose(found -> found
            .map(again -> removeFrom(again, storeId))
            .orElseGet(() -> Future.failedFuture(ImagoException.imageNotFound(image.id()))));
      }
      sweepNow.run();
      return Future.succeededFuture(written.get());
    });
  }
}
