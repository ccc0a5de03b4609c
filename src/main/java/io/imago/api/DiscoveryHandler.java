package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.data.ImageStores.StoreView;
import io.imago.data.ImageStores;
import io.imago.domain.Caller;
import io.imago.domain.ImagoException;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.Targets;
import io.imago.quota.Quotas;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The discovery calls {@code /v2/info/*} (spec/images-api.md §4.16) and an image's task list
 * {@code GET /v2/images/{id}/tasks} (§4.13). None needs a policy except the store details.
 */
public final class DiscoveryHandler {
  private final ImagesConfig config;
  private final Policy policy;
  private final Quotas quotas;
  private final ImageStores stores;
  private final ImageLookups lookups;

  public DiscoveryHandler(ImagesConfig config, Policy policy, Quotas quotas, ImageStores stores, ImageLookups lookups) {
    this.config = config;
    this.policy = policy;
    this.quotas = quotas;
    this.stores = stores;
    this.lookups = lookups;
  }

  /** {@code GET /v2/info/import}: the value is {@code enabled_import_methods}, possibly empty. */
  public void importMethods(RoutingContext rc) {
    JsonObject methods = new JsonObject()
        .put("description", "Import methods available.")
        .put("type", "array")
        .put("value", new JsonArray(List.copyOf(config.enabledImportMethods())));
    JsonBodies.send(rc, 200, new JsonObject().put("import-methods", methods));
  }

  /**
   * {@code GET /v2/info/stores}: a 404 unless multi-store is configured; then one entry per store in
   * configuration order with {@code "default": "true"} (a string, as Glance writes it) on the
   * default one and its description when it has one.
   */
  public void stores(RoutingContext rc) {
    JsonBodies.send(rc, 200, new JsonObject().put("stores", storeList(false)));
  }

  /**
   * {@code GET /v2/info/stores/detail}: 404 with a single store, then policy
   * {@code stores_info_detail}; each store with its type, weight and the type's properties.
   */
  public void storesDetail(RoutingContext rc) {
    requireMultiStore();
    Caller caller = Callers.get(rc);
    if (!policy.allows(Action.STORES_INFO_DETAIL, caller, Targets.project(caller))) {
      throw ImagoException.forbidden("You are not authorized to complete stores_info_detail action.");
    }
    JsonBodies.send(rc, 200, new JsonObject().put("stores", storeList(true)));
  }

  private void requireMultiStore() {
    if (!stores.multiStore()) {
      throw ImagoException.notFound("Multi backend is not supported at this site.");
    }
  }

  private JsonArray storeList(boolean detail) {
    requireMultiStore();
    JsonArray out = new JsonArray();
    for (StoreView store : stores.list()) {
      JsonObject entry = new JsonObject().put("id", store.id());
      if (store.description() != null) {
        entry.put("description", store.description());
      }
      if (store.isDefault()) {
        entry.put("default", "true");
      }
      if (detail) {
        entry.put("type", store.type()).put("properties", new JsonObject(new java.util.LinkedHashMap<>(store.properties())))
            .put("weight", store.weight());
      }
      out.add(entry);
    }
    return out;
  }

  /**
   * {@code GET /v2/info/usage} (spec §4.16): the caller's project's limit and usage of each unified
   * limit resource (sizes in MiB; -1 = no limit), {@code {"usage": {}}} while unified limits are off.
   */
  public void usage(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    quotas.usage(caller.projectId())
        .onSuccess(usage -> {
          JsonObject out = new JsonObject();
          usage.forEach((resource, u) -> out.put(resource.resourceName(),
              new JsonObject().put("limit", u.limit()).put("usage", u.usage())));
          JsonBodies.send(rc, 200, new JsonObject().put("usage", out));
        })
        .onFailure(rc::fail);
  }

  /**
   * {@code GET /v2/images/{id}/tasks}: 404 unless the caller may see the image. Imago runs no
   * tasks on images yet (import is not implemented), so the list is honestly empty.
   */
  public void imageTasks(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    lookups.visible(caller, rc.pathParam("image_id"))
        .onSuccess(v -> JsonBodies.send(rc, 200, new JsonObject().put("tasks", new JsonArray())))
        .onFailure(rc::fail);
  }
}
