package io.imago.api;

import io.imago.data.ImageStores;
import io.imago.domain.Caller;
import io.imago.policy.Action;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code DELETE /v2/stores/{store_id}/{image_id}} (API 2.10, spec/images-api.md §4.15): removes an
 * image's data from one store, in Glance's order of checks — the store (404 without multi-store,
 * 409 unknown), the image (404), the location policies (403), then the use case's rules.
 */
public final class StoresHandler {
  private final ImageLookups lookups;
  private final ImageStores stores;

  public StoresHandler(ImageLookups lookups, ImageStores stores) {
    this.lookups = lookups;
    this.stores = stores;
  }

  /** → 204; the image's {@code stores} no longer lists the store, and its data there is deleted. */
  public void deleteFromStore(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String storeId = rc.pathParam("store_id");
    String id = rc.pathParam("image_id");
    stores.requireStore(storeId);
    lookups.visible(caller, id)
        .map(visible -> {
          lookups.require(caller, visible.image(), Action.GET_IMAGE_LOCATION,
              "You are not authorized to complete get_image_location action.");
          lookups.require(caller, visible.image(), Action.DELETE_IMAGE_LOCATION,
              "You are not authorized to complete delete_image_location action.");
          return visible.image();
        })
        .compose(image -> stores.removeFrom(image, storeId))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }
}
