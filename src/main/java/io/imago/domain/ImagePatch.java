package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code PATCH /v2/images/{id}} body in Glance's own JSON-patch dialect (spec/images-api.md
 * §4.4), parsed and validated up front ({@link #parse}), then applied in memory to one image
 * ({@link #apply}) so that the write is all-or-nothing.
 *
 * <p>Parsing follows Glance's request deserializer, operation by operation: shape of the
 * operation, JSON pointer, path depth, {@code value}, then read-only/reserved names (403) and the
 * value against the image schema (400). These errors come before the image is even looked up.
 * Applying follows Glance's controller: per operation the policy checks, then add/replace/remove
 * semantics; after the last operation the property quota and what the database refuses.
 *
 * <p>Property protections (spec/security.md §2.2): the patch works on the whole stored property
 * set, treating properties the caller may not read as absent. So, unlike Glance (which saves
 * the caller's filtered view and thereby deletes what the caller cannot read), a patch keeps
 * every property it did not touch.
 */
public final class ImagePatch {
  /** The two media types: the RFC 6902 subset (v2.1) and the older draft-04 form (v2.0). */
  public enum Dialect {
    /** {@code application/openstack-images-v2.0-json-patch}: {@code {"replace": "/name", "value": …}}. */
    V2_0,
    /** {@code application/openstack-images-v2.1-json-patch}: {@code {"op": "replace", "path": "/name", …}}. */
    V2_1
  }

  /** The three operations Glance supports; {@code copy}, {@code move} and {@code test} are 400. */
  public enum Op {
    ADD,
    REMOVE,
    REPLACE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Op fromWire(Object s) {
      for (Op op : values()) {
        if (op.wire().equals(s)) {
          return op;
        }
      }
      return null;
    }
  }

  /**
   * One operation.
   *
   * @param path the decoded JSON pointer: one name, or {@code locations} and a position
   * @param value the new value as plain Java (String, Boolean, Number, List, Map, null); null for remove
   */
  public record Operation(Op op, List<String> path, Object value) {
    public Operation {
      requireNonNull(op, "op");
      path = List.copyOf(path);
    }

    public String root() {
      return path.get(0);
    }
  }

  /**
   * What applying needs from outside the domain: the caller's permissions (each check throws a
   * 403 {@link ImagoException}) and the operator's limits.
   */
  public interface Context {
    /** {@code context_is_admin}: only admins may replace {@code owner}. */
    boolean admin();

    /** {@code modify_image}. */
    void requireModify();

    /** {@code publicize_image} for public, {@code communitize_image} for community; nothing otherwise. */
    void requireVisibility(Visibility visibility);

    /** {@code set_image_location}. */
    void requireSetLocations();

    /** {@code delete_image_location}. */
    void requireDeleteLocations();

    /** The URL clients see for a location (as rendered in {@code locations}). */
    String url(Location location);

    Limits limits();

    /** Property protections for this caller (spec/security.md §2); everything allowed by default. */
    default PropertyAccess properties() {
      return PropertyAccess.ALL;
    }
  }

  /**
   * The operator's options that apply.
   *
   * @param propertyQuota {@code image_property_quota}, -1 = unlimited
   * @param tagQuota {@code image_tag_quota}, -1 = unlimited
   * @param locationQuota {@code image_location_quota}, -1 = unlimited
   * @param showMultipleLocations whether {@code locations} operations are enabled at all
   */
  public record Limits(int propertyQuota, int tagQuota, int locationQuota, boolean showMultipleLocations) {}

  /**
   * The outcome of {@link #apply}.
   *
   * @param image the image to write back (same revision as the one read)
   * @param dropped locations the patch removed, whose data must be deleted once the write succeeds
   */
  public record Result(Image image, List<Location> dropped) {
    public Result {
      requireNonNull(image, "image");
      dropped = List.copyOf(dropped);
    }
  }

  /**
   * Names PATCH may never touch (403 "read-only"): Glance's list, plus {@code stores} for
   * {@code add} only — Glance treats {@code stores} as a custom property in PATCH (so replace and
   * remove are 409 "does not exist", ERRATA 3) but we refuse to create one that would shadow the
   * multi-store attribute.
   */
  static final Set<String> READ_ONLY = Set.of("created_at", "updated_at", "status", "checksum", "size",
      "virtual_size", "direct_url", "self", "file", "schema", "id", "os_hash_algo", "os_hash_value");

  /** Names Glance reserves (403 "reserved"), besides every {@code os_glance*} name. */
  static final Set<String> RESERVED = Set.of("location", "deleted", "deleted_at");

  /** Base attributes PATCH can set; they cannot be removed (403). */
  static final Set<String> MUTABLE_BASE = Set.of("name", "visibility", "protected", "os_hidden", "owner",
      "container_format", "disk_format", "min_ram", "min_disk", "tags");

  private static final Pattern ADJACENT_SLASHES = Pattern.compile("/\\s*/");
  private static final Pattern BAD_ESCAPE = Pattern.compile("~[^01]");
  private static final Pattern POSITION = Pattern.compile("[0-9]+");

  private final Dialect dialect;
  private final List<Operation> operations;

  private ImagePatch(Dialect dialect, List<Operation> operations) {
    this.dialect = dialect;
    this.operations = List.copyOf(operations);
  }

  public Dialect dialect() {
    return dialect;
  }

  public List<Operation> operations() {
    return operations;
  }

  public boolean isEmpty() {
    return operations.isEmpty();
  }

  /**
   * Parses and validates a request body (already decoded from JSON into plain Java values), in
   * Glance's order; the first problem throws (400, or 403 for read-only and reserved names).
   */
  public static ImagePatch parse(Object body, Dialect dialect, ImageSchema schema) {
    requireNonNull(dialect, "dialect");
    if (!(body instanceof List<?> list)) {
      throw ImagoException.badRequest("Request body must be a JSON array of operation objects.");
    }
    List<Operation> ops = new ArrayList<>();
    for (Object raw : list) {
      if (!(raw instanceof Map<?, ?> change)) {
        throw ImagoException.badRequest("Operations must be JSON objects.");
      }
      Op op = dialect == Dialect.V2_1 ? opV21(change) : opV20(change);
      Object pointer;
      if (dialect == Dialect.V2_1) {
        if (!change.containsKey("path")) {
          throw ImagoException.badRequest("Unable to find 'path' in JSON Schema change");
        }
        pointer = change.get("path");
      } else {
        pointer = change.get(op.wire());
      }
      List<String> path = decodePointer(pointer);
      checkDepth(op, path);
      Object value = null;
      if (op != Op.REMOVE) {
        if (!change.containsKey("value")) {
          throw ImagoException.badRequest("Operation \"%s\" requires a member named \"value\".", op.wire());
        }
        value = change.get("value");
      }
      Operation operation = new Operation(op, path, value);
      validate(operation, schema);
      ops.add(operation);
    }
    return new ImagePatch(dialect, ops);
  }

  private static Op opV21(Map<?, ?> change) {
    if (!change.containsKey("op") || change.get("op") == null) {
      throw ImagoException.badRequest("Unable to find `op` in JSON Schema change. It must be one of the following:"
          + " add, remove, replace.");
    }
    Op op = Op.fromWire(change.get("op"));
    if (op == null) {
      throw ImagoException.badRequest("Invalid operation: `%s`. It must be one of the following: add, remove,"
          + " replace.", change.get("op"));
    }
    return op;
  }

  private static Op opV20(Map<?, ?> change) {
    Op found = null;
    for (Op op : Op.values()) {
      if (change.containsKey(op.wire())) {
        if (found != null) {
          throw ImagoException.badRequest("Operation objects must contain only one member named \"add\","
              + " \"remove\", or \"replace\".");
        }
        found = op;
      }
    }
    if (found == null) {
      throw ImagoException.badRequest("Operation objects must contain exactly one member named \"add\","
          + " \"remove\", or \"replace\".");
    }
    return found;
  }

  /**
   * Glance's restricted JSON pointer: starts with {@code /}; no adjacent or trailing {@code /};
   * only the escapes {@code ~0} and {@code ~1}; each token trimmed of white space. Unlike Glance,
   * an empty token ({@code /}, {@code //name}, {@code / }) is refused too (ERRATA 4).
   */
  static List<String> decodePointer(Object raw) {
    if (!(raw instanceof String pointer)) {
      // Glance answers 500 here (it calls string methods on whatever it got).
      throw ImagoException.badRequest("Pointer `%s` is not a string.", raw);
    }
    if (!pointer.startsWith("/")) {
      throw ImagoException.badRequest("Pointer `%s` does not start with \"/\".", pointer);
    }
    if (pointer.startsWith("//") || ADJACENT_SLASHES.matcher(pointer.substring(1)).find()) {
      throw ImagoException.badRequest("Pointer `%s` contains adjacent \"/\".", pointer);
    }
    if (pointer.length() > 1 && pointer.endsWith("/")) {
      throw ImagoException.badRequest("Pointer `%s` end with \"/\".", pointer);
    }
    if (BAD_ESCAPE.matcher(pointer).find() || pointer.endsWith("~")) {
      throw ImagoException.badRequest("Pointer `%s` contains \"~\" not part of a recognized escape sequence.",
          pointer);
    }
    List<String> out = new ArrayList<>();
    for (String part : pointer.substring(1).split("/", -1)) {
      String token = unescape(part).strip();
      if (token.isEmpty()) {
        throw ImagoException.badRequest("Pointer `%s` does not contains valid token.", pointer);
      }
      out.add(token);
    }
    return out;
  }

  private static String unescape(String token) {
    StringBuilder b = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '~') {
        b.append(token.charAt(++i) == '0' ? '~' : '/');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Paths are one name deep, except {@code /locations/<n|->} for add and remove (spec §4.4). */
  private static void checkDepth(Op op, List<String> path) {
    int depth = path.get(0).equals("locations") && op != Op.REPLACE ? 2 : 1;
    if (path.size() != depth) {
      throw ImagoException.badRequest("Invalid JSON pointer for this resource: '/%s'", String.join("/", path));
    }
  }

  /** Glance's {@code _validate_change}, plus the custom-name rules we add (ERRATA 4, 5). */
  private static void validate(Operation o, ImageSchema schema) {
    String root = o.root();
    if (READ_ONLY.contains(root) || (root.equals("stores") && o.op() == Op.ADD)) {
      throw ImagoException.forbidden("Attribute '%s' is read-only.", root);
    }
    if (RESERVED.contains(root) || root.startsWith("os_glance")) {
      throw ImagoException.forbidden("Attribute '%s' is reserved.", root);
    }
    if (o.op() == Op.REMOVE) {
      return;
    }
    if (!MUTABLE_BASE.contains(root) && !root.equals("locations")) {
      ImageSchema.checkCustomKey(root);
    }
    // add /locations/<n> carries one location: validate it as a one-element list.
    schema.checkValue(root, o.path().size() == 2 ? Collections.singletonList(o.value()) : o.value());
  }

  /**
   * Applies the operations in order to {@code image} (as read, with its revision) and returns
   * the image to write; the first failing operation throws and nothing is written. Must not be
   * called for an empty patch (Glance neither checks policy nor saves then).
   */
  public Result apply(Image image, Context ctx) {
    Image.Builder b = image.toBuilder();
    Set<String> originalKeys = new HashSet<>(image.properties().keySet());
    List<Location> locations = new ArrayList<>(image.locations());
    List<Location> dropped = new ArrayList<>();
    Limits limits = ctx.limits();
    for (Operation o : operations) {
      if (o.root().equals("locations")) {
        applyLocations(o, image.status(), b, locations, dropped, ctx);
        continue;
      }
      switch (o.op()) {
        case REPLACE -> replace(o, image, b, ctx);
        case ADD -> add(o, image, b, ctx);
        case REMOVE -> remove(o, b, ctx);
      }
    }
    b.locations = locations;
    // The property quota applies only when this patch added a key (spec §6): a patch that only
    // edits or removes keys of an image already over a lowered quota still succeeds.
    if (limits.propertyQuota() >= 0 && !originalKeys.containsAll(b.properties.keySet())) {
      long count = b.properties.keySet().stream().filter(k -> !k.startsWith("os_glance")).count();
      if (count > limits.propertyQuota()) {
        throw ImagoException.tooLarge("Maximum number of properties exceeded: attempted %d, maximum %d", count,
            limits.propertyQuota());
      }
    }
    Image out = b.build();
    ImageSchema.checkStorable(out);
    return new Result(out, dropped);
  }

  private void replace(Operation o, Image image, Image.Builder b, Context ctx) {
    String root = o.root();
    if (root.equals("owner") && !ctx.admin()) {
      throw ImagoException.forbidden("Owner can't be updated by non admin.");
    }
    checkUpdate(o, ctx);
    if (MUTABLE_BASE.contains(root)) {
      setBase(root, o.value(), image, b, ctx);
    } else if (visibleProperty(b, root, ctx)) {
      requireProtection(root, PropertyAccess.Op.UPDATE, ctx);
      b.properties.put(root, (String) o.value());
    } else {
      throw ImagoException.conflict("Property %s does not exist.", root);
    }
  }

  /**
   * Whether the image has the custom property as far as the caller can tell: with property
   * protections a property the caller may not read does not exist for it (security.md §2.2).
   */
  private static boolean visibleProperty(Image.Builder b, String key, Context ctx) {
    return b.properties.containsKey(key) && ctx.properties().mayRead(key);
  }

  /** A property protection refusal is Glance's {@code ReservedProperty}: 403 "reserved". */
  private static void requireProtection(String key, PropertyAccess.Op op, Context ctx) {
    if (!ctx.properties().allows(key, op)) {
      throw ImagoException.forbidden("Attribute '%s' is reserved.", key);
    }
  }

  private void add(Operation o, Image image, Image.Builder b, Context ctx) {
    String root = o.root();
    checkUpdate(o, ctx);
    boolean base = MUTABLE_BASE.contains(root);
    boolean exists = !base && visibleProperty(b, root, ctx);
    if (dialect == Dialect.V2_0 && (base || exists)) {
      throw ImagoException.conflict("Property %s already present.", root);
    }
    if (base) {
      // Glance lets a non-admin "add" the owner it already has; another owner is refused (the
      // image would leave the caller's project).
      if (root.equals("owner") && !ctx.admin() && !Objects.equals(o.value(), b.owner)) {
        throw ImagoException.forbidden("Owner can't be updated by non admin.");
      }
      setBase(root, o.value(), image, b, ctx);
    } else {
      // adding an existing property replaces it (update); one the caller cannot read is a create
      requireProtection(root, exists ? PropertyAccess.Op.UPDATE : PropertyAccess.Op.CREATE, ctx);
      b.properties.put(root, (String) o.value());
    }
  }

  private static void remove(Operation o, Image.Builder b, Context ctx) {
    String root = o.root();
    checkUpdate(o, ctx);
    if (MUTABLE_BASE.contains(root)) {
      throw ImagoException.forbidden("Property %s may not be removed.", root);
    }
    if (!visibleProperty(b, root, ctx)) {
      throw ImagoException.conflict("Property %s does not exist.", root);
    }
    requireProtection(root, PropertyAccess.Op.DELETE, ctx);
    b.properties.remove(root);
  }

  /** Glance's {@code update_property}: the visibility policy for a visibility change, then {@code modify_image}. */
  private static void checkUpdate(Operation o, Context ctx) {
    if (o.root().equals("visibility") && o.value() instanceof String v) {
      Visibility.parse(v).ifPresent(ctx::requireVisibility);
    }
    ctx.requireModify();
  }

  /** Sets a base attribute with the rules of Glance's domain object (spec §2.1 "Mutable via PATCH"). */
  private static void setBase(String key, Object value, Image image, Image.Builder b, Context ctx) {
    switch (key) {
      case "name" -> b.name = (String) value;
      case "visibility" -> b.visibility = Visibility.parse((String) value).orElseThrow();
      case "protected" -> b.isProtected = (Boolean) value;
      case "os_hidden" -> b.osHidden = (Boolean) value;
      case "owner" -> b.owner = (String) value;
      case "container_format" -> {
        requireFormatsEditable(key, image);
        b.containerFormat = (String) value;
      }
      case "disk_format" -> {
        requireFormatsEditable(key, image);
        b.diskFormat = (String) value;
      }
      case "min_ram" -> b.minRam = ImageSchema.nonNegativeInt(key, value);
      case "min_disk" -> b.minDisk = ImageSchema.nonNegativeInt(key, value);
      case "tags" -> {
        LinkedHashSet<String> tags = new LinkedHashSet<>();
        for (Object t : (List<?>) value) {
          tags.add((String) t);
        }
        int quota = ctx.limits().tagQuota();
        if (quota >= 0 && tags.size() > quota) {
          throw ImagoException.tooLarge("Maximum number of tags exceeded: attempted %d, maximum %d", tags.size(),
              quota);
        }
        b.tags = tags;
      }
      default -> throw new IllegalArgumentException("not a mutable base attribute: " + key);
    }
  }

  /** Formats describe the data: they may change only before there is any (queued or importing). */
  private static void requireFormatsEditable(String key, Image image) {
    if (image.status() != ImageStatus.QUEUED && image.status() != ImageStatus.IMPORTING) {
      throw ImagoException.forbidden("Attribute %s can be only replaced for a queued image.", key);
    }
  }

  /**
   * Location operations (spec §4.4.4), enabled only by {@code show_multiple_locations}. The only
   * store is the file store, and Glance never accepts a {@code file://} (or any other server-side)
   * URL from a user (security.md §6): so a new URL is always 400 "Invalid location"; what remains
   * possible is re-sending the current list unchanged and removing one of several locations.
   */
  private static void applyLocations(Operation o, ImageStatus status, Image.Builder b, List<Location> locations,
      List<Location> dropped, Context ctx) {
    Limits limits = ctx.limits();
    switch (o.op()) {
      case REPLACE -> {
        List<?> value = (List<?>) o.value();
        if (value.isEmpty()) {
          throw ImagoException.forbidden("Cannot set locations to empty list.");
        }
        ctx.requireSetLocations();
        requireShown(limits, "update");
        requireStatus(status, "replace", ImageStatus.ACTIVE, ImageStatus.QUEUED);
        if (limits.locationQuota() >= 0 && value.size() > limits.locationQuota()) {
          throw ImagoException.tooLarge("Maximum number of locations exceeded: attempted %d, maximum %d",
              value.size(), limits.locationQuota());
        }
        if (!sameAsCurrent(value, locations, ctx)) {
          throw ImagoException.badRequest("Invalid location");
        }
      }
      case ADD -> {
        ctx.requireSetLocations();
        requireShown(limits, "add");
        requireStatus(status, "add", ImageStatus.ACTIVE, ImageStatus.QUEUED);
        String pos = o.path().get(1);
        if (!pos.equals("-") && !POSITION.matcher(pos).matches()) {
          throw ImagoException.badRequest("Invalid position for adding a location.");
        }
        if (limits.locationQuota() >= 0 && locations.size() + 1 > limits.locationQuota()) {
          throw ImagoException.tooLarge("Maximum number of locations exceeded: attempted %d, maximum %d",
              locations.size() + 1, limits.locationQuota());
        }
        throw ImagoException.badRequest("Invalid location");
      }
      case REMOVE -> {
        ctx.requireDeleteLocations();
        requireShown(limits, "remove");
        requireStatus(status, "remove", ImageStatus.ACTIVE);
        if (locations.size() == 1) {
          throw ImagoException.forbidden("Cannot remove last location in the image.");
        }
        String pos = o.path().get(1);
        int index = -1;
        if (pos.equals("-")) {
          index = locations.size() - 1;
        } else if (POSITION.matcher(pos).matches() && pos.length() < 10) {
          index = Integer.parseInt(pos);
        }
        if (index < 0 || index >= locations.size()) {
          throw ImagoException.badRequest("Invalid position for removing a location.");
        }
        dropped.add(locations.remove(index));
      }
    }
  }

  private static void requireShown(Limits limits, String verb) {
    if (!limits.showMultipleLocations()) {
      throw ImagoException.forbidden("It's not allowed to %s locations if locations are invisible.", verb);
    }
  }

  private static void requireStatus(ImageStatus status, String verb, ImageStatus... allowed) {
    for (ImageStatus s : allowed) {
      if (status == s) {
        return;
      }
    }
    throw ImagoException.conflict("It's not allowed to %s locations if image status is %s.", verb, status.wire());
  }

  /** Whether a {@code replace /locations} value is exactly the image's current list (URL and metadata). */
  private static boolean sameAsCurrent(List<?> value, List<Location> current, Context ctx) {
    if (value.size() != current.size()) {
      return false;
    }
    for (int i = 0; i < value.size(); i++) {
      Map<?, ?> given = (Map<?, ?>) value.get(i);
      Location loc = current.get(i);
      if (!ctx.url(loc).equals(given.get("url")) || !loc.metadata().equals(given.get("metadata"))
          || given.containsKey("validation_data")) {
        return false;
      }
    }
    return true;
  }
}
