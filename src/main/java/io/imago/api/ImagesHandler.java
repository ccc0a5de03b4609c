package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.data.ImageStores;
import io.imago.db.ImageRepository;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.Image;
import io.imago.domain.ImagePatch;
import io.imago.domain.ImageSchema;
import io.imago.domain.ImagoException;
import io.imago.domain.Location;
import io.imago.domain.PropertyAccess;
import io.imago.domain.Visibility;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.PropertyProtections;
import io.imago.policy.Targets;
import io.imago.quota.Quotas;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** {@code /v2/images} and {@code /v2/images/{id}}: create, show, update, delete (spec/images-api.md §4.1–4.5). */
public final class ImagesHandler {
  /** Display attributes refused on create before anything else (403 "read-only"). */
  private static final List<String> DISALLOWED_ON_CREATE = List.of("direct_url", "self", "file", "schema", "stores");
  /**
   * The keys Glance's create deserializer treats as base attributes; every other key of the body
   * is a custom property as far as the name checks are concerned (even {@code locations}).
   */
  private static final Set<String> BASE_ON_CREATE = Set.of("checksum", "created_at", "container_format",
      "disk_format", "id", "min_disk", "min_ram", "name", "size", "virtual_size", "status", "tags", "owner",
      "updated_at", "visibility", "protected", "os_hidden");
  /** Read-only base keys, refused after the policy and quota checks (Glance's image factory). */
  private static final List<String> READ_ONLY_ON_CREATE = List.of("created_at", "updated_at", "status", "checksum",
      "size", "virtual_size");
  /** Custom names reserved on create (403), besides every {@code os_glance*} name. */
  private static final Set<String> RESERVED_ON_CREATE = Set.of("location", "deleted", "deleted_at");
  /** Accepted on create and silently ignored, as Glance does (quirk Q3). */
  private static final Set<String> IGNORED_ON_CREATE = Set.of("os_hash_algo", "os_hash_value");

  static final String V20_PATCH = "application/openstack-images-v2.0-json-patch";
  static final String V21_PATCH = "application/openstack-images-v2.1-json-patch";

  private final ImagesConfig config;
  private final String publicEndpoint;
  private final ImageRepository images;
  private final Policy policy;
  private final PropertyProtections protections;
  private final ImageSchema schema;
  private final Quotas quotas;
  private final ImageStores stores;
  private final Runnable sweepNow;
  private final java.util.function.Consumer<String> imageDeleted;
  private final ImageLookups lookups;
  private final ImageUpdates updates;
  private final ImageView view;

  public ImagesHandler(ImagesConfig config, String publicEndpoint, ImageRepository images, Policy policy,
      PropertyProtections protections, ImageSchema schema, Quotas quotas, ImageStores stores, ImageLookups lookups,
      ImageUpdates updates, ImageView view, Runnable sweepNow, java.util.function.Consumer<String> imageDeleted) {
    this.config = config;
    this.publicEndpoint = publicEndpoint;
    this.images = images;
    this.policy = policy;
    this.protections = protections;
    this.schema = schema;
    this.quotas = quotas;
    this.stores = stores;
    this.lookups = lookups;
    this.updates = updates;
    this.view = view;
    this.sweepNow = sweepNow;
    this.imageDeleted = imageDeleted;
  }

  /** {@code POST /v2/images} → 201 with the image, {@code Location} and import methods. */
  public void create(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    Image image = newImage(JsonBodies.object(rc), caller);
    // unified limit image_count_total (spec §4.1), charged to the caller's project as Glance does
    quotas.create(caller.projectId(), image)
        .onSuccess(created -> {
          var resp = rc.response()
              .putHeader("Location", VersionsHandler.baseUrl(rc.request(), publicEndpoint)
                  + "/v2/images/" + created.id());
          if (!config.enabledImportMethods().isEmpty()) {
            resp.putHeader("OpenStack-image-import-methods", String.join(",", config.enabledImportMethods()));
          }
          if (stores.multiStore()) {
            resp.putHeader("OpenStack-image-store-ids",
                String.join(",", stores.list().stream().map(st -> st.id()).toList()));
          }
          JsonBodies.send(rc, 201, render(created, caller));
        })
        .onFailure(rc::fail);
  }

  /**
   * Validates a create body in Glance's order (spec §4.1: its request deserializer, the
   * {@code add_image} policy, the image factory, then the repository) and builds the queued image.
   * The duplicate-id check (409) is left to the insert.
   */
  Image newImage(JsonObject json, Caller caller) {
    @SuppressWarnings("unchecked")
    Map<String, Object> body = (Map<String, Object>) PlainJson.of(json);
    for (String key : DISALLOWED_ON_CREATE) {
      if (body.containsKey(key)) {
        throw ImagoException.forbidden("Attribute '%s' is read-only.", key);
      }
    }
    body.forEach(schema::checkValue);
    for (String key : body.keySet()) {
      if (BASE_ON_CREATE.contains(key)) {
        continue;
      }
      ImageSchema.checkCustomKey(key);
      if (RESERVED_ON_CREATE.contains(key) || key.startsWith("os_glance")) {
        throw ImagoException.forbidden("Attribute '%s' is reserved.", key);
      }
    }

    String owner = body.containsKey("owner") ? (String) body.get("owner") : caller.projectId();
    String visibility = (String) body.get("visibility");
    Map<String, String> target = Targets.newImage(owner, visibility);
    if (!policy.allows(Action.ADD_IMAGE, caller, target)) {
      if (!Objects.equals(owner, caller.projectId())) {
        throw ImagoException.forbidden("You are not permitted to create images owned by '%s'.", owner);
      }
      throw ImagoException.forbidden("You are not authorized to complete add_image action.");
    }
    requireVisibilityPolicy(caller, visibility == null ? null : Visibility.parse(visibility).orElseThrow(), target);
    // Property protections come next in Glance's image factory chain (security.md §2.2).
    PropertyAccess access = protections.forCaller(caller);
    for (String key : body.keySet()) {
      if (!BASE_ON_CREATE.contains(key) && !IGNORED_ON_CREATE.contains(key) && !key.equals("locations")
          && !access.allows(key, PropertyAccess.Op.CREATE)) {
        throw ImagoException.forbidden("Attribute '%s' is reserved.", key);
      }
    }

    LinkedHashSet<String> tags = new LinkedHashSet<>();
    if (body.get("tags") instanceof List<?> list) {
      list.forEach(t -> tags.add((String) t));
    }
    if (config.imageTagQuota() >= 0 && tags.size() > config.imageTagQuota()) {
      throw ImagoException.tooLarge("Maximum number of tags exceeded: attempted %d, maximum %d", tags.size(),
          config.imageTagQuota());
    }
    for (String key : READ_ONLY_ON_CREATE) {
      if (body.containsKey(key)) {
        throw ImagoException.forbidden("Attribute '%s' is read-only.", key);
      }
    }
    if (body.containsKey("locations")) {
      throw ImagoException.forbidden("Attribute 'locations' is reserved.");
    }

    String id = body.containsKey("id") ? (String) body.get("id") : UUID.randomUUID().toString();
    Image.Builder b = Image.queued(id, owner, images.now()).toBuilder();
    Map<String, String> props = new TreeMap<>();
    for (Map.Entry<String, Object> e : body.entrySet()) {
      Object v = e.getValue();
      switch (e.getKey()) {
        case "id", "owner", "tags" -> { }
        case "name" -> b.name = (String) v;
        case "visibility" -> b.visibility = Visibility.parse((String) v).orElseThrow();
        case "protected" -> b.isProtected = (Boolean) v;
        case "os_hidden" -> b.osHidden = (Boolean) v;
        case "container_format" -> b.containerFormat = (String) v;
        case "disk_format" -> b.diskFormat = (String) v;
        case "min_ram" -> b.minRam = ImageSchema.nonNegativeInt("min_ram", v);
        case "min_disk" -> b.minDisk = ImageSchema.nonNegativeInt("min_disk", v);
        default -> {
          if (!IGNORED_ON_CREATE.contains(e.getKey())) {
            props.put(e.getKey(), (String) v);
          }
        }
      }
    }
    int propertyQuota = config.imagePropertyQuota();
    long counted = props.keySet().stream().filter(k -> !k.startsWith("os_glance")).count();
    if (propertyQuota >= 0 && counted > propertyQuota) {
      throw ImagoException.tooLarge("Maximum number of properties exceeded: attempted %d, maximum %d", counted,
          propertyQuota);
    }
    b.properties = new TreeMap<>(props);
    b.tags = tags;
    Image image = b.build();
    ImageSchema.checkStorable(image);
    return image;
  }

  /** {@code GET /v2/images/{id}}. */
  public void show(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    lookups.visible(caller, rc.pathParam("image_id"))
        .onSuccess(v -> JsonBodies.send(rc, 200, render(v.image(), caller)))
        .onFailure(rc::fail);
  }

  /**
   * {@code PATCH /v2/images/{id}} → 200 with the image (spec §4.4). The media type picks the
   * dialect (415 otherwise); the body is parsed and validated before the image is looked up, as
   * Glance's deserializer does; then the operations apply to the image in memory and the result is
   * written only if nobody wrote the image meanwhile (else reloaded and re-applied).
   */
  public void update(RoutingContext rc) {
    ImagePatch.Dialect dialect = patchDialect(rc.request().getHeader("Content-Type"));
    ImagePatch patch = ImagePatch.parse(PlainJson.of(JsonBodies.parse(rc)), dialect, schema);
    Caller caller = Callers.writer(rc);
    String id = rc.pathParam("image_id");
    updates.update(caller, id, image -> patch.isEmpty()
            ? Optional.empty()
            : Optional.of(patch.apply(image, patchContext(caller, image))))
        .onSuccess(image -> JsonBodies.send(rc, 200, render(image, caller)))
        .onFailure(rc::fail);
  }

  /**
   * The PATCH dialect of a {@code Content-Type} (parameters such as {@code charset} ignored).
   * {@code application/json} is read as the v2.1 dialect — our documented extension, because
   * openstack4j sends its patch that way (DEPENDENCIES.md G13); Glance answers it 415.
   */
  static ImagePatch.Dialect patchDialect(String contentType) {
    String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return switch (type) {
      case V21_PATCH, "application/json" -> ImagePatch.Dialect.V2_1;
      case V20_PATCH -> ImagePatch.Dialect.V2_0;
      default -> throw new ImagoException(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
          Map.of("Accept-Patch", V20_PATCH + ", " + V21_PATCH), null,
          "The request media type %s is not supported by this server.",
          contentType == null ? "(none)" : contentType);
    };
  }

  /** The policy answers and operator limits a patch applies with (Glance's {@code ImageAPIPolicy}). */
  private ImagePatch.Context patchContext(Caller caller, Image image) {
    Map<String, String> target = Targets.image(image, caller);
    ImagePatch.Limits limits = new ImagePatch.Limits(config.imagePropertyQuota(), config.imageTagQuota(),
        config.imageLocationQuota(), config.showMultipleLocations());
    return new ImagePatch.Context() {
      @Override
      public boolean admin() {
        return caller.admin();
      }

      @Override
      public void requireModify() {
        require(caller, Action.MODIFY_IMAGE, target);
      }

      @Override
      public void requireVisibility(Visibility visibility) {
        requireVisibilityPolicy(caller, visibility, target);
      }

      @Override
      public void requireSetLocations() {
        require(caller, Action.SET_IMAGE_LOCATION, target);
      }

      @Override
      public void requireDeleteLocations() {
        require(caller, Action.DELETE_IMAGE_LOCATION, target);
      }

      @Override
      public String url(Location location) {
        return view.url(location);
      }

      @Override
      public ImagePatch.Limits limits() {
        return limits;
      }

      @Override
      public PropertyAccess properties() {
        return protections.forCaller(caller);
      }
    };
  }

  private void require(Caller caller, Action action, Map<String, String> target) {
    if (!policy.allows(action, caller, target)) {
      throw ImagoException.forbidden("You are not authorized to complete %s action.", action.ruleName());
    }
  }

  /** {@code public} needs {@code publicize_image}, {@code community} needs {@code communitize_image}. */
  private void requireVisibilityPolicy(Caller caller, Visibility visibility, Map<String, String> target) {
    if (visibility == Visibility.PUBLIC) {
      require(caller, Action.PUBLICIZE_IMAGE, target);
    } else if (visibility == Visibility.COMMUNITY) {
      require(caller, Action.COMMUNITIZE_IMAGE, target);
    }
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
          return images.delete(id);
        })
        .compose(outcome -> switch (outcome) {
          case DELETED -> Future.<Void>succeededFuture();
          case NOT_FOUND -> Future.failedFuture(ImagoException.imageNotFound(id));
          case PROTECTED -> Future.failedFuture(
              ImagoException.forbidden("Image %s is protected and cannot be deleted.", id));
        })
        .onSuccess(v -> {
          sweepNow.run();
          imageDeleted.accept(id); // the node cache lets go of it at once
          rc.response().setStatusCode(204).end();
        })
        .onFailure(rc::fail);
  }

  JsonObject render(Image image, Caller caller) {
    boolean mayReadLocations = policy.allows(Action.GET_IMAGE_LOCATION, caller, Targets.image(image, caller));
    return view.render(image, caller, mayReadLocations);
  }
}
