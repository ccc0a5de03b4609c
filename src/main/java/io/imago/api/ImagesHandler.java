package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.db.ImageRepository.DeleteOutcome;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageSchema;
import io.imago.domain.ImagoException;
import io.imago.domain.Visibility;
import io.imago.policy.Action;
import io.imago.policy.Targets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** {@code /v2/images} and {@code /v2/images/{id}}: create, show, delete (spec/images-api.md §4.1–4.5). */
public final class ImagesHandler {
  /** Keys that are read-only on create and answered 403 before schema validation. */
  private static final Set<String> READ_ONLY_FIRST = Set.of("direct_url", "self", "file", "schema", "stores");
  /** Read-only base keys whose presence on create is a 403 after the policy checks. */
  private static final Set<String> READ_ONLY_LATER = Set.of("status", "created_at", "updated_at", "checksum", "size",
      "virtual_size");
  /** Accepted on create and silently ignored, as Glance does (quirk Q3). */
  private static final Set<String> IGNORED_ON_CREATE = Set.of("os_hash_algo", "os_hash_value");

  private final Services s;
  private final ImageLookups lookups;
  private final ImageView view;

  public ImagesHandler(Services s) {
    this.s = s;
    this.lookups = new ImageLookups(s.images(), s.policy());
    this.view = s.view();
  }

  /** {@code POST /v2/images} → 201 with the image, {@code Location} and import methods. */
  public void create(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    Image image = newImage(JsonBodies.object(rc), caller);
    s.images().insert(image)
        .onSuccess(created -> {
          ImagesConfig cfg = s.config().images();
          var resp = rc.response()
              .putHeader("Location", VersionsHandler.baseUrl(rc.request(), s.config().http().publicEndpoint())
                  + "/v2/images/" + created.id());
          if (!cfg.enabledImportMethods().isEmpty()) {
            resp.putHeader("OpenStack-image-import-methods", String.join(",", cfg.enabledImportMethods()));
          }
          JsonBodies.send(rc, 201, render(created, caller));
        })
        .onFailure(rc::fail);
  }

  /** Validates a create body in Glance's order (spec §4.1) and builds the queued image. */
  Image newImage(JsonObject body, Caller caller) {
    ImageSchema schema = s.schema();
    for (String key : body.fieldNames()) {
      if (READ_ONLY_FIRST.contains(key)) {
        throw ImagoException.forbidden("Attribute '%s' is read-only.", key);
      }
    }
    for (Map.Entry<String, Object> e : body) {
      String key = e.getKey();
      if (READ_ONLY_LATER.contains(key) || IGNORED_ON_CREATE.contains(key) || key.equals("locations")) {
        continue;
      }
      schema.checkValue(key, e.getValue());
    }
    for (String key : body.fieldNames()) {
      if (!ImageSchema.isBase(key) && ImageSchema.isReserved(key)) {
        throw ImagoException.forbidden("Attribute '%s' is reserved.", key);
      }
    }
    String owner = body.containsKey("owner") ? body.getString("owner") : caller.projectId();
    if (body.containsKey("owner") && !caller.admin() && !java.util.Objects.equals(owner, caller.projectId())) {
      throw ImagoException.forbidden("You are not permitted to create images owned by '%s'.", owner);
    }
    String visibility = body.getString("visibility");
    if (!s.policy().allows(Action.ADD_IMAGE, caller, Targets.newImage(owner, visibility))) {
      throw ImagoException.forbidden("You are not authorized to complete add_image action.");
    }
    if ("public".equals(visibility)
        && !s.policy().allows(Action.PUBLICIZE_IMAGE, caller, Targets.newImage(owner, visibility))) {
      throw ImagoException.forbidden("You are not authorized to complete publicize_image action.");
    }
    if ("community".equals(visibility)
        && !s.policy().allows(Action.COMMUNITIZE_IMAGE, caller, Targets.newImage(owner, visibility))) {
      throw ImagoException.forbidden("You are not authorized to complete communitize_image action.");
    }
    for (String key : body.fieldNames()) {
      if (READ_ONLY_LATER.contains(key)) {
        throw ImagoException.forbidden("Attribute '%s' is read-only.", key);
      }
    }
    if (body.containsKey("locations")) {
      throw ImagoException.forbidden("Attribute 'locations' is reserved.");
    }

    Image.Builder b = Image.queued(body.containsKey("id") ? body.getString("id") : UUID.randomUUID().toString(),
        owner, s.images().now()).toBuilder();
    Map<String, String> props = new TreeMap<>();
    Set<String> tags = new LinkedHashSet<>();
    for (Map.Entry<String, Object> e : body) {
      Object v = e.getValue();
      switch (e.getKey()) {
        case "id", "owner", "os_hash_algo", "os_hash_value" -> { }
        case "name" -> b.name = (String) v;
        case "visibility" -> b.visibility = Visibility.parse((String) v).orElseThrow();
        case "protected" -> b.isProtected = (Boolean) v;
        case "os_hidden" -> b.osHidden = (Boolean) v;
        case "container_format" -> b.containerFormat = (String) v;
        case "disk_format" -> b.diskFormat = (String) v;
        case "min_ram" -> b.minRam = ((Number) v).intValue();
        case "min_disk" -> b.minDisk = ((Number) v).intValue();
        case "tags" -> ((Iterable<?>) v).forEach(t -> tags.add((String) t));
        default -> props.put(e.getKey(), (String) v);
      }
    }
    int propertyQuota = s.config().images().imagePropertyQuota();
    if (propertyQuota >= 0 && props.size() > propertyQuota) {
      throw ImagoException.tooLarge("Maximum number of properties exceeded (%d)", propertyQuota);
    }
    int tagQuota = s.config().images().imageTagQuota();
    if (tagQuota >= 0 && tags.size() > tagQuota) {
      throw ImagoException.tooLarge("Maximum number of tags exceeded (%d)", tagQuota);
    }
    b.properties = new TreeMap<>(props);
    b.tags = new LinkedHashSet<>(tags);
    return b.build();
  }

  /** {@code GET /v2/images/{id}}. */
  public void show(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    lookups.visible(caller, rc.pathParam("image_id"))
        .onSuccess(v -> JsonBodies.send(rc, 200, render(v.image(), caller)))
        .onFailure(rc::fail);
  }

  /** {@code DELETE /v2/images/{id}} → 204; protected → 403; the data goes to the blob sweeper. */
  public void delete(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String id = rc.pathParam("image_id");
    lookups.forAction(caller, id, Action.DELETE_IMAGE, "You are not authorized to complete delete_image action.")
        .compose(image -> {
          if (image.isProtected()) {
            return Future.failedFuture(ImagoException.forbidden("Image %s is protected and cannot be deleted.", id));
          }
          return s.images().delete(id);
        })
        .compose(outcome -> switch (outcome) {
          case DELETED -> Future.<Void>succeededFuture();
          case NOT_FOUND -> Future.failedFuture(ImagoException.imageNotFound(id));
          case PROTECTED -> Future.failedFuture(
              ImagoException.forbidden("Image %s is protected and cannot be deleted.", id));
        })
        .onSuccess(v -> {
          s.sweeper().kick();
          rc.response().setStatusCode(204).end();
        })
        .onFailure(rc::fail);
  }

  JsonObject render(Image image, Caller caller) {
    return view.render(image, caller, s.policy().allows(Action.GET_IMAGE_LOCATION, caller, Targets.image(image, caller)));
  }
}
