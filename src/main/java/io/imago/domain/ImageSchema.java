package io.imago.domain;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The image schema ({@code /v2/schemas/image}, spec/images-api.md §2.1, §4.17): the document
 * python-glanceclient builds its model from, and the value rules that create, PATCH and tag calls
 * all apply through here, so that what we accept and what we publish can never disagree.
 *
 * <p>The rules are those of the published document (types, enums, lengths, patterns, the
 * operator's custom properties, strings for every other property), checked as Glance's
 * {@code jsonschema} does: integral numbers such as {@code 1.0} are integers, and lengths count
 * code points. Rules Glance enforces after the schema (negative {@code min_ram}, 4-byte UTF-8,
 * database integer range) are separate methods so that callers can keep Glance's order.
 */
public final class ImageSchema {
  /** Glance's UUID pattern, as published in the schema (case-insensitive hex). */
  public static final String UUID_PATTERN =
      "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$";
  public static final Pattern UUID = Pattern.compile(UUID_PATTERN);

  /** Base attributes, always present in an image's JSON, in the order of the schema document. */
  public static final List<String> BASE = List.of("id", "name", "status", "visibility", "protected", "os_hidden",
      "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "container_format",
      "disk_format", "created_at", "updated_at", "tags", "direct_url", "min_ram", "min_disk", "self", "file",
      "stores", "schema", "locations");

  /** Attributes no client may set, on create or PATCH. */
  public static final Set<String> READ_ONLY = Set.of("status", "id", "created_at", "updated_at", "checksum", "size",
      "virtual_size", "direct_url", "self", "file", "schema", "os_hash_algo", "os_hash_value", "stores");

  /** Custom-property names Glance reserves (403): exact names, plus every {@code os_glance*} key. */
  public static final Set<String> RESERVED = Set.of("location", "locations", "deleted", "deleted_at");

  /** Glance's status names, in the order of its schema's enum. */
  public static final List<String> STATUSES = List.of("queued", "saving", "active", "killed", "deleted", "uploading",
      "importing", "pending_delete", "deactivated");

  public static final List<String> VISIBILITIES = List.of("community", "public", "private", "shared");

  public static final int MAX_KEY_LENGTH = 255;
  public static final int MAX_STRING_LENGTH = 255;

  /**
   * One property of the operator's custom-property schema ({@code schema-image.json}).
   *
   * @param nullable whether JSON {@code null} is allowed besides a string
   * @param pattern a regular expression the string must match, or null
   * @param values the allowed strings, or null for any
   */
  public record CustomProperty(String name, String description, boolean nullable, String pattern,
      List<String> values) {
    public CustomProperty {
      values = values == null ? null : List.copyOf(values);
    }
  }

  /** Glance's default {@code schema-image.json}, which the reference loads (spec §2.1). */
  public static final List<CustomProperty> DEFAULT_CUSTOM_PROPERTIES = List.of(
      new CustomProperty("kernel_id", "ID of image stored in Glance that should be used as the kernel when booting an"
          + " AMI-style image.", true, UUID_PATTERN, null),
      new CustomProperty("ramdisk_id", "ID of image stored in Glance that should be used as the ramdisk when booting"
          + " an AMI-style image.", true, UUID_PATTERN, null),
      new CustomProperty("instance_uuid", "Metadata which can be used to record which instance this image is"
          + " associated with. (Informational only, does not create an instance snapshot.)", false, null, null),
      new CustomProperty("architecture", "Operating system architecture as specified in"
          + " https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html", false, null, null),
      new CustomProperty("os_distro", "Common name of operating system distribution as specified in"
          + " https://docs.openstack.org/python-glanceclient/latest/cli/property-keys.html", false, null, null),
      new CustomProperty("os_version", "Operating system version as specified by the distributor.", false, null,
          null),
      new CustomProperty("description", "A human-readable string describing this image.", false, null, null),
      new CustomProperty("cinder_encryption_key_id", "Identifier in the OpenStack Key Management Service for the"
          + " encryption key for the Block Storage Service to use when mounting a volume created from this image",
          false, null, null),
      new CustomProperty("cinder_encryption_key_deletion_policy", "States the condition under which the Image"
          + " Service will delete the object associated with the 'cinder_encryption_key_id' image property.  If"
          + " this property is missing, the Image Service will take no action", false, null,
          List.of("on_image_deletion", "do_not_delete")));

  private final List<String> diskFormats;
  private final List<String> containerFormats;
  private final Map<String, CustomProperty> custom = new LinkedHashMap<>();
  private final Map<String, Pattern> patterns = new LinkedHashMap<>();

  public ImageSchema(List<String> diskFormats, List<String> containerFormats) {
    this(diskFormats, containerFormats, DEFAULT_CUSTOM_PROPERTIES);
  }

  public ImageSchema(List<String> diskFormats, List<String> containerFormats, List<CustomProperty> customProperties) {
    this.diskFormats = List.copyOf(diskFormats);
    this.containerFormats = List.copyOf(containerFormats);
    for (CustomProperty p : customProperties) {
      if (BASE.contains(p.name())) {
        throw new IllegalArgumentException("custom property " + p.name() + " conflicts with a base property");
      }
      custom.put(p.name(), p);
      if (p.pattern() != null) {
        patterns.put(p.name(), Pattern.compile(p.pattern()));
      }
    }
  }

  public List<String> diskFormats() {
    return diskFormats;
  }

  public List<String> containerFormats() {
    return containerFormats;
  }

  public static boolean isReserved(String key) {
    return RESERVED.contains(key) || key.startsWith("os_glance");
  }

  public static boolean isBase(String key) {
    return BASE.contains(key);
  }

  /**
   * Checks one attribute's JSON value (as plain Java: String, Boolean, Number, List, Map, null)
   * against the schema document; throws 400 with the schema's complaint. Keys that are neither
   * base attributes nor operator properties must be strings ({@code additionalProperties}).
   */
  public void checkValue(String key, Object value) {
    switch (key) {
      case "id" -> {
        String s = string(key, value, false, -1);
        if (!UUID.matcher(s).matches()) {
          throw invalid(key, value, "does not match the UUID pattern");
        }
      }
      case "name", "owner" -> string(key, value, true, MAX_STRING_LENGTH);
      case "status" -> oneOf(key, value, STATUSES, false);
      case "visibility" -> oneOf(key, value, VISIBILITIES, false);
      case "protected", "os_hidden" -> {
        if (!(value instanceof Boolean)) {
          throw invalid(key, value, "is not of type 'boolean'");
        }
      }
      case "checksum" -> string(key, value, true, 32);
      case "os_hash_algo" -> string(key, value, true, 64);
      case "os_hash_value" -> string(key, value, true, 128);
      case "size", "virtual_size" -> {
        if (value != null && !isInteger(value)) {
          throw invalid(key, value, "is not of type 'null', 'integer'");
        }
      }
      case "container_format" -> oneOf(key, value, containerFormats, true);
      case "disk_format" -> oneOf(key, value, diskFormats, true);
      case "created_at", "updated_at", "direct_url", "self", "file", "stores", "schema" ->
          string(key, value, false, -1);
      case "min_ram", "min_disk" -> {
        if (!isInteger(value)) {
          throw invalid(key, value, "is not of type 'integer'");
        }
      }
      case "tags" -> {
        if (!(value instanceof List<?> list)) {
          throw invalid(key, value, "is not of type 'array'");
        }
        for (Object t : list) {
          string(key, t, false, MAX_STRING_LENGTH);
        }
      }
      case "locations" -> checkLocations(value);
      default -> checkCustomValue(key, value);
    }
  }

  /** A custom property's value: the operator's rule for it, else any string. */
  private void checkCustomValue(String key, Object value) {
    CustomProperty p = custom.get(key);
    if (p == null) {
      string(key, value, false, -1);
      return;
    }
    if (value == null && p.nullable()) {
      return;
    }
    String s = string(key, value, false, -1);
    if (p.pattern() != null && !patterns.get(key).matcher(s).find()) {
      throw invalid(key, value, "does not match '" + p.pattern() + "'");
    }
    if (p.values() != null && !p.values().contains(s)) {
      throw invalid(key, value, "is not one of " + p.values());
    }
  }

  /** The {@code locations} array: objects with a {@code url} and a {@code metadata} object. */
  private static void checkLocations(Object value) {
    if (!(value instanceof List<?> list)) {
      throw invalid("locations", value, "is not of type 'array'");
    }
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> loc)) {
        throw invalid("locations", item, "is not of type 'object'");
      }
      if (!loc.containsKey("url") || !loc.containsKey("metadata")) {
        throw invalid("locations", item, "requires 'url' and 'metadata'");
      }
      string("url", loc.get("url"), false, MAX_STRING_LENGTH);
      if (!(loc.get("metadata") instanceof Map)) {
        throw invalid("metadata", loc.get("metadata"), "is not of type 'object'");
      }
      if (loc.containsKey("validation_data")) {
        if (!(loc.get("validation_data") instanceof Map<?, ?> vd)) {
          throw invalid("validation_data", loc.get("validation_data"), "is not of type 'object'");
        }
        for (Object k : vd.keySet()) {
          if (!List.of("checksum", "os_hash_algo", "os_hash_value").contains(k)) {
            throw invalid("validation_data", k, "additional properties are not allowed");
          }
        }
        if (!vd.containsKey("os_hash_algo") || !vd.containsKey("os_hash_value")) {
          throw invalid("validation_data", vd, "requires 'os_hash_algo' and 'os_hash_value'");
        }
        if (vd.containsKey("checksum")) {
          String c = string("checksum", vd.get("checksum"), false, 32);
          if (c.codePointCount(0, c.length()) < 32) {
            throw invalid("checksum", c, "is too short");
          }
        }
        string("os_hash_algo", vd.get("os_hash_algo"), false, 64);
        string("os_hash_value", vd.get("os_hash_value"), false, 128);
      }
    }
  }

  /**
   * A custom property name: 1 to 255 characters. Glance checks the length on create only; we
   * check it on PATCH as well (ERRATA 5), and refuse the empty name Glance lets PATCH create
   * (ERRATA 4).
   */
  public static void checkCustomKey(String key) {
    int n = key.codePointCount(0, key.length());
    if (n == 0 || n > MAX_KEY_LENGTH) {
      throw ImagoException.badRequest("Custom property should not be greater than 255 characters.");
    }
  }

  /** Whether a JSON number is an integer as jsonschema sees it ({@code 1.0} is, {@code true} is not). */
  public static boolean isInteger(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger) {
      return true;
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) && d == Math.rint(d);
    }
    if (value instanceof BigDecimal b) {
      return b.stripTrailingZeros().scale() <= 0;
    }
    return false;
  }

  /**
   * {@code min_ram}/{@code min_disk} as stored: Glance's domain refuses negative values (400
   * "Cannot be a negative value") and its database layer values above 2^31-1 (400 "out of range").
   * The value must already have passed {@link #checkValue}.
   */
  public static int nonNegativeInt(String key, Object value) {
    BigDecimal d = value instanceof BigDecimal b ? b : new BigDecimal(value.toString());
    if (d.signum() < 0) {
      throw ImagoException.badRequest("Invalid value '%s' for parameter '%s': Cannot be a negative value",
          abbreviate(value.toString()), key);
    }
    if (d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      throw ImagoException.badRequest("'%s' value out of range, must not exceed %d.", key, Integer.MAX_VALUE);
    }
    return d.intValue();
  }

  /**
   * What Glance's database layer refuses on every save (spec ERRATA 13): characters outside the
   * Basic Multilingual Plane in the name, owner, tags, property names and values.
   */
  public static void checkStorable(Image image) {
    noFourByte("Name", image.name());
    noFourByte("Owner", image.owner());
    for (Map.Entry<String, String> e : image.properties().entrySet()) {
      if (hasFourByte(e.getKey())) {
        throw ImagoException.badRequest("Property names can't contain 4 byte unicode.");
      }
      noFourByte(titled(e.getKey()), e.getValue());
    }
    for (String t : image.tags()) {
      noFourByte("Tags", t);
    }
  }

  private static void noFourByte(String what, String s) {
    if (s != null && hasFourByte(s)) {
      throw ImagoException.badRequest("%s can't contain 4 byte unicode characters.", abbreviate(what));
    }
  }

  static boolean hasFourByte(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static String titled(String key) {
    return key.isEmpty() ? key : Character.toUpperCase(key.charAt(0)) + key.substring(1);
  }

  /**
   * The {@code /v2/schemas/image} document, field for field as Glance publishes it (spec §4.17):
   * base properties, then each operator property marked {@code "is_base": false}.
   */
  public Map<String, Object> document() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("id", map("type", "string", "description", "An identifier for the image", "pattern", UUID_PATTERN));
    props.put("name", map("type", nullOr("string"), "description", "Descriptive name for the image",
        "maxLength", MAX_STRING_LENGTH));
    props.put("status", map("type", "string", "readOnly", true, "description", "Status of the image",
        "enum", STATUSES));
    props.put("visibility", map("type", "string", "description", "Scope of image accessibility",
        "enum", VISIBILITIES));
    props.put("protected", map("type", "boolean", "description", "If true, image will not be deletable."));
    props.put("os_hidden", map("type", "boolean", "description",
        "If true, image will not appear in default image list response."));
    props.put("checksum", map("type", nullOr("string"), "readOnly", true, "description",
        "md5 hash of image contents.", "maxLength", 32));
    props.put("os_hash_algo", map("type", nullOr("string"), "readOnly", true, "description",
        "Algorithm to calculate the os_hash_value", "maxLength", 64));
    props.put("os_hash_value", map("type", nullOr("string"), "readOnly", true, "description",
        "Hexdigest of the image contents using the algorithm specified by the os_hash_algo", "maxLength", 128));
    props.put("owner", map("type", nullOr("string"), "description", "Owner of the image",
        "maxLength", MAX_STRING_LENGTH));
    props.put("size", map("type", nullOr("integer"), "readOnly", true, "description",
        "Size of image file in bytes"));
    props.put("virtual_size", map("type", nullOr("integer"), "readOnly", true, "description",
        "Virtual size of image in bytes"));
    props.put("container_format", map("type", nullOr("string"), "description", "Format of the container",
        "enum", withNull(containerFormats)));
    props.put("disk_format", map("type", nullOr("string"), "description", "Format of the disk",
        "enum", withNull(diskFormats)));
    props.put("created_at", map("type", "string", "readOnly", true, "description",
        "Date and time of image registration"));
    props.put("updated_at", map("type", "string", "readOnly", true, "description",
        "Date and time of the last image modification"));
    props.put("tags", map("type", "array", "description", "List of strings related to the image",
        "items", map("type", "string", "maxLength", MAX_STRING_LENGTH)));
    props.put("direct_url", map("type", "string", "readOnly", true, "description",
        "URL to access the image file kept in external store"));
    props.put("min_ram", map("type", "integer", "description", "Amount of ram (in MB) required to boot image."));
    props.put("min_disk", map("type", "integer", "description",
        "Amount of disk space (in GB) required to boot image."));
    props.put("self", map("type", "string", "readOnly", true, "description", "An image self url"));
    props.put("file", map("type", "string", "readOnly", true, "description", "An image file url"));
    props.put("stores", map("type", "string", "readOnly", true, "description", "Store in which image data resides."
        + "  Only present when the operator has enabled multiple stores.  May be a comma-separated list of store"
        + " identifiers."));
    props.put("schema", map("type", "string", "readOnly", true, "description", "An image schema url"));
    props.put("locations", map("type", "array",
        "items", map("type", "object",
            "properties", map(
                "url", map("type", "string", "maxLength", MAX_STRING_LENGTH),
                "metadata", map("type", "object"),
                "validation_data", map(
                    "description", "Values to be used to populate the corresponding image properties. If the image"
                        + " status is not 'queued', values must exactly match those already contained in the image"
                        + " properties.",
                    "type", "object",
                    "writeOnly", true,
                    "additionalProperties", false,
                    "properties", map(
                        "checksum", map("type", "string", "minLength", 32, "maxLength", 32),
                        "os_hash_algo", map("type", "string", "maxLength", 64),
                        "os_hash_value", map("type", "string", "maxLength", 128)),
                    "required", List.of("os_hash_algo", "os_hash_value"))),
            "required", List.of("url", "metadata")),
        "description", "A set of URLs to access the image file kept in external store"));
    for (CustomProperty p : custom.values()) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("type", p.nullable() ? nullOr("string") : "string");
      if (p.pattern() != null) {
        d.put("pattern", p.pattern());
      }
      d.put("description", p.description());
      if (p.values() != null) {
        d.put("enum", p.values());
      }
      d.put("is_base", false);
      props.put(p.name(), d);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", "image");
    doc.put("properties", props);
    doc.put("additionalProperties", map("type", "string"));
    doc.put("links", List.of(map("rel", "self", "href", "{self}"), map("rel", "enclosure", "href", "{file}"),
        map("rel", "describedby", "href", "{schema}")));
    return doc;
  }

  private static List<String> nullOr(String type) {
    return List.of("null", type);
  }

  private static List<String> withNull(List<String> values) {
    List<String> out = new ArrayList<>();
    out.add(null);
    out.addAll(values);
    return out;
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static void oneOf(String key, Object value, List<String> allowed, boolean nullable) {
    if (value == null && nullable) {
      return;
    }
    if (!(value instanceof String s) || !allowed.contains(s)) {
      throw invalid(key, value, "is not one of " + (nullable ? withNull(allowed) : allowed));
    }
  }

  /** A string (or null when allowed) of at most {@code maxLength} code points (-1: any). */
  private static String string(String key, Object value, boolean nullable, int maxLength) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw invalid(key, null, "is not of type 'string'");
    }
    if (!(value instanceof String s)) {
      throw invalid(key, value, nullable ? "is not of type 'null', 'string'" : "is not of type 'string'");
    }
    if (maxLength >= 0 && s.codePointCount(0, s.length()) > maxLength) {
      throw invalid(key, value, "is too long");
    }
    return s;
  }

  private static ImagoException invalid(String key, Object value, String why) {
    return ImagoException.badRequest("Provided object does not match schema 'image': %s %s (in '%s')",
        abbreviate(String.valueOf(value)), why, abbreviate(String.valueOf(key)));
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
