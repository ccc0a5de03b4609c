package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.db.ImageListQuery;
import io.imago.db.ImageRepository;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageAccess;
import io.imago.domain.ImageQuery;
import io.imago.domain.ImagoException;
import io.imago.domain.PropertyAccess;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.PropertyProtections;
import io.imago.policy.Targets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v2/images}: one page of the images the caller may see, filtered and sorted, with
 * Glance's {@code first}/{@code next} links (spec/images-api.md §4.2, §10 Q5/Q6, ERRATA 2 and 6).
 */
public final class ImageListHandler {
  private static final String PATH = "/v2/images";

  private final ImagesConfig config;
  private final ImageRepository images;
  private final Policy policy;
  private final PropertyProtections protections;
  private final ImageView view;

  public ImageListHandler(ImagesConfig config, ImageRepository images, Policy policy, PropertyProtections protections, ImageView view) {
    this.config = config;
    this.images = images;
    this.policy = policy;
    this.protections = protections;
    this.view = view;
  }

  /**
   * Parameters first (400), then policy {@code get_images} (403), then the marker (400 when it
   * names no live image, 403 when the caller cannot see it), then the page; rows that
   * {@code get_image} denies are left out silently.
   */
  public void list(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    List<Map.Entry<String, String>> params = QueryString.parse(rc.request().query());
    ImageQuery query = withoutUnreadableProperties(ImageQuery.parse(params, config.limitParamDefault(),
        config.apiLimitMax()), caller);
    if (!policy.allows(Action.GET_IMAGES, caller, Targets.project(caller))) {
      throw ImagoException.forbidden("You are not authorized to complete get_images action.");
    }
    marker(caller, query.marker())
        .compose(marker -> images.list(ImageListQuery.build(query, caller.projectId(), caller.admin(), marker)))
        .onSuccess(rows -> JsonBodies.send(rc, 200, page(rows, query.limit(), params, caller)))
        .onFailure(rc::fail);
  }

  /**
   * Property protections (security.md §2.2): a filter on a property the caller may not read
   * matches nothing for that caller, or it could find out the hidden value by trying.
   */
  private ImageQuery withoutUnreadableProperties(ImageQuery q, Caller caller) {
    PropertyAccess access = protections.forCaller(caller);
    List<ImageQuery.Filter> filters = new ArrayList<>();
    boolean changed = false;
    for (ImageQuery.Filter f : q.filters()) {
      if (f instanceof ImageQuery.PropertyEquals p && !access.mayRead(p.key())) {
        filters.add(new ImageQuery.MatchesNothing(p.key()));
        changed = true;
      } else {
        filters.add(f);
      }
    }
    return changed
        ? new ImageQuery(q.limit(), q.marker(), q.sort(), q.visibility(), q.memberStatus(), q.osHidden(), filters)
        : q;
  }

  /** The marker image, null when none is given; ERRATA 2: unknown or deleted → 400, invisible → 403. */
  private Future<Image> marker(Caller caller, String id) {
    if (id == null) {
      return Future.succeededFuture(null);
    }
    return images.findFor(id, caller.projectId()).map(found -> {
      var visible = found.orElseThrow(() -> ImagoException.badRequest("No image found with ID %s", id));
      if (!ImageAccess.canSee(visible.image(), caller, visible.membership())) {
        throw ImagoException.forbidden("Forbidding request, image %s not visible", id);
      }
      return visible.image();
    });
  }

  /**
   * The response body. {@code first} and {@code next} carry the request's parameters without
   * {@code marker}, each name once with its last value, in order of first appearance (quirk Q5,
   * copied: {@code ?tag=x&tag=y} links to {@code ?tag=y}). {@code next} is present whenever the
   * database returned a full page and at least one row survived {@code get_image} (quirk Q6: an
   * exactly full last page still links to an empty one); its marker is the last row shown.
   */
  private JsonObject page(List<Image> rows, int limit, List<Map.Entry<String, String>> params, Caller caller) {
    JsonArray images = new JsonArray();
    String lastShown = null;
    for (Image image : rows) {
      if (policy.allows(Action.GET_IMAGE, caller, Targets.image(image, caller))) {
        images.add(view.render(image, caller,
            policy.allows(Action.GET_IMAGE_LOCATION, caller, Targets.image(image, caller))));
        lastShown = image.id();
      }
    }
    Map<String, String> links = new LinkedHashMap<>();
    params.forEach(p -> links.put(p.getKey(), p.getValue()));
    links.remove("marker");
    JsonObject body = new JsonObject()
        .put("images", images)
        .put("first", links.isEmpty() ? PATH : PATH + "?" + QueryString.encode(links.entrySet()))
        .put("schema", "/v2/schemas/images");
    if (lastShown != null && rows.size() == limit) {
      links.put("marker", lastShown);
      body.put("next", PATH + "?" + QueryString.encode(links.entrySet()));
    }
    return body;
  }
}
