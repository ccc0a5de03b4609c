package io.imago.api;

import io.imago.cache.CachedImage;
import io.imago.cache.NodeCache;
import io.imago.cache.QueuedImage;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.Targets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cache API, {@code /v2/cache} (API 2.14–2.18, spec/cache.md §4), and the legacy endpoints of
 * Glance's {@code cachemanage} middleware that {@code glance-cache-manage} uses (§5). Glance's order
 * of checks: the image (404) where one is named, then the policy (403), then "not supported at this
 * site" (404) when the cache is off, then the image's status (400).
 */
public final class CacheHandler {
  static final String NOT_SUPPORTED = "Caching via API is not supported at this site.";
  private static final String DENIED = "Access was denied to this resource.";

  private final NodeCache cache;
  private final Policy policy;
  private final ImageLookups lookups;

  /** @param cache the node cache, or null when it is off */
  public CacheHandler(NodeCache cache, Policy policy, ImageLookups lookups) {
    this.cache = cache;
    this.policy = policy;
    this.lookups = lookups;
  }

  public boolean enabled() {
    return cache != null;
  }

  private NodeCache enforce(Caller caller, Action action, Image image) {
    Map<String, String> target = image == null ? Targets.project(caller) : Targets.image(image, caller);
    if (!policy.allows(action, caller, target)) {
      throw ImagoException.forbidden(DENIED);
    }
    if (cache == null) {
      throw ImagoException.notFound(NOT_SUPPORTED);
    }
    return cache;
  }

  /** {@code GET /v2/cache} → 200: cached and queued images, plus the prefetcher's view of the queue (extension). */
  public void list(RoutingContext rc) {
    NodeCache c = enforce(Callers.get(rc), Action.CACHE_LIST, null);
    List<QueuedImage> queue = c.queued();
    JsonArray detail = new JsonArray();
    for (QueuedImage q : queue) {
      detail.add(new JsonObject().put("image_id", q.imageId()).put("state", q.state()).put("last_error", q.lastError())
          .put("attempts", q.attempts()));
    }
    JsonBodies.send(rc, 200, new JsonObject().put("cached_images", cachedImages(c))
        .put("queued_images", new JsonArray(queue.stream().map(QueuedImage::imageId).toList()))
        .put("x-imago-queue", detail));
  }

  private static JsonArray cachedImages(NodeCache c) {
    JsonArray cached = new JsonArray();
    for (CachedImage i : c.cached()) {
      cached.add(new JsonObject().put("image_id", i.imageId()).put("hits", i.hits())
          .put("last_accessed", i.lastAccessed()).put("last_modified", i.lastModified()).put("size", i.size()));
    }
    return cached;
  }

  /** {@code PUT /v2/cache/{image_id}} → 202: queued, and the prefetcher starts at once. */
  public void queue(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String id = rc.pathParam("image_id");
    lookups.visible(caller, id)
        .compose(v -> {
          NodeCache c = enforce(caller, Action.CACHE_IMAGE, v.image());
          if (v.image().status() != ImageStatus.ACTIVE) {
            throw ImagoException.badRequest("Only images with status active can be targeted for queueing");
          }
          return c.queue(id);
        })
        .onSuccess(v -> rc.response().setStatusCode(202).end())
        .onFailure(rc::fail);
  }

  /** {@code DELETE /v2/cache/{image_id}} → 204: out of the cache and the queue. */
  public void delete(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String id = rc.pathParam("image_id");
    lookups.visible(caller, id).map(v -> v.image())
        .recover(e -> {
          // an image that is gone may still be cached or queued: Glance removes it then
          if (cache != null && (cache.isCached(id) || cache.isQueued(id))) {
            return Future.succeededFuture(null);
          }
          return Future.failedFuture(e);
        })
        .compose(image -> {
          NodeCache c = enforce(caller, Action.CACHE_DELETE, image);
          return Future.join(c.evict(id, "cleared"), c.dequeue(id));
        })
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  /** {@code DELETE /v2/cache} → 204, {@code x-image-cache-clear-target}: cache, queue, or (absent, empty) both. */
  public void clear(RoutingContext rc) {
    NodeCache c = enforce(Callers.get(rc), Action.CACHE_DELETE, null);
    String target = rc.request().getHeader("x-image-cache-clear-target");
    target = target == null ? "" : target.trim().toLowerCase(Locale.ROOT);
    Future<?> done = switch (target) {
      case "" -> Future.join(c.clearCached(), c.clearQueued());
      case "cache" -> c.clearCached();
      case "queue" -> c.clearQueued();
      default -> throw ImagoException.badRequest(
          "If provided 'x-image-cache-clear-target' must be 'cache', 'queue' or empty string.");
    };
    done.onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail);
  }

  /** {@code GET /v2/cache/nodes/{image_id}}: needs Glance's centralized_db driver, which Imago has not → 409. */
  public void nodes(RoutingContext rc) {
    enforce(Callers.get(rc), Action.LIST_CACHED_NODES, null);
    throw ImagoException.conflict("Centralized caching is not enabled");
  }

  /** {@code POST /v2/cache/clean} (2.18) → 200, empty: the cleaner, now. */
  public void clean(RoutingContext rc) {
    NodeCache c = enforce(Callers.get(rc), Action.CACHE_CLEAN, null);
    c.clean().onSuccess(n -> rc.response().setStatusCode(200).end()).onFailure(rc::fail);
  }

  /** {@code POST /v2/cache/prune} (2.18) → 200 with what was removed. */
  public void prune(RoutingContext rc) {
    NodeCache c = enforce(Callers.get(rc), Action.CACHE_PRUNE, null);
    c.prune().onSuccess(r -> JsonBodies.send(rc, 200, new JsonObject().put("total_files_pruned", r.files())
        .put("total_bytes_pruned", r.bytes()))).onFailure(rc::fail);
  }

  // ---- the legacy cachemanage middleware (glance-cache-manage): policy manage_image_cache, 200s

  private NodeCache manage(RoutingContext rc) {
    return enforce(Callers.get(rc), Action.MANAGE_IMAGE_CACHE, null);
  }

  /** {@code GET /v2/cached_images}. */
  public void legacyListCached(RoutingContext rc) {
    JsonBodies.send(rc, 200, new JsonObject().put("cached_images", cachedImages(manage(rc))));
  }

  /** {@code DELETE /v2/cached_images/{image_id}} → 200 {@code null}. */
  public void legacyDeleteCached(RoutingContext rc) {
    manage(rc).evict(rc.pathParam("image_id"), "cleared").onSuccess(v -> nullBody(rc)).onFailure(rc::fail);
  }

  /** {@code DELETE /v2/cached_images} → 200 {@code {"num_deleted": N}}. */
  public void legacyDeleteAllCached(RoutingContext rc) {
    manage(rc).clearCached().onSuccess(n -> JsonBodies.send(rc, 200, new JsonObject().put("num_deleted", n)))
        .onFailure(rc::fail);
  }

  /** {@code GET /v2/queued_images}. */
  public void legacyListQueued(RoutingContext rc) {
    JsonBodies.send(rc, 200, new JsonObject().put("queued_images",
        new JsonArray(manage(rc).queued().stream().map(QueuedImage::imageId).toList())));
  }

  /** {@code PUT /v2/queued_images/{image_id}} → 200 {@code null}: any id is queued, as in Glance. */
  public void legacyQueue(RoutingContext rc) {
    NodeCache c = manage(rc);
    String id = rc.pathParam("image_id");
    if (id.length() > 255 || id.contains("/") || id.startsWith(".") || id.indexOf('\0') >= 0) {
      throw ImagoException.badRequest("Invalid image id %s", id);
    }
    c.queue(id).onSuccess(v -> nullBody(rc)).onFailure(rc::fail);
  }

  /** {@code DELETE /v2/queued_images/{image_id}} → 200 {@code null}. */
  public void legacyDeleteQueued(RoutingContext rc) {
    manage(rc).dequeue(rc.pathParam("image_id")).onSuccess(v -> nullBody(rc)).onFailure(rc::fail);
  }

  /** {@code DELETE /v2/queued_images} → 200 {@code {"num_deleted": N}}. */
  public void legacyDeleteAllQueued(RoutingContext rc) {
    manage(rc).clearQueued().onSuccess(n -> JsonBodies.send(rc, 200, new JsonObject().put("num_deleted", n)))
        .onFailure(rc::fail);
  }

  private static void nullBody(RoutingContext rc) {
    rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("null");
  }
}
