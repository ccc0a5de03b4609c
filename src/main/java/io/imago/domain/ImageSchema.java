package io.imago.domain;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Value rules of the image schema ({@code /v2/schemas/image}, spec/images-api.md §2.1, §4.17):
 * types, enums and lengths of base attributes and of the operator's custom-property schema.
 * Create and PATCH both validate through here, so the two can never disagree.
 */
public final class ImageSchema {
  public static final Pattern UUID = Pattern.compile(
      "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$");

  /** Base attributes, always present in an image's JSON. */
  public static final List<String> BASE = List.of("id", "name", "status", "visibility", "protected", "os_hidden",
      "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "container_format",
      "disk_format", "min_ram", "min_disk", "tags", "created_at", "updated_at", "self", "file", "schema",
      "direct_url", "locations", "stores");

  /** Attributes no client may set, on create or PATCH. */
  public static final Set<String> READ_ONLY = Set.of("status", "id", "created_at", "updated_at", "checksum", "size",
      "virtual_size", "direct_url", "self", "file", "schema", "os_hash_algo", "os_hash_value", "stores");

  /** Custom-property names Glance reserves (403): exact names, plus every {@code os_glance*} key. */
  public static final Set<String> RESERVED = Set.of("location", "locations", "deleted", "deleted_at");

  /** Glance's default operator schema ({@code schema-image.json}) for custom properties. */
  public static final Map<String, String> OPERATOR_PROPERTIES = Map.of(
      "kernel_id", "uuid-or-null",
      "ramdisk_id", "uuid-or-null",
      "instance_uuid", "string",
      "architecture", "string",
      "os_distro", "string",
      "os_version", "string",
      "description", "string",
      "cinder_encryption_key_id", "string",
      "cinder_encryption_key_deletion_policy", "enum:on_image_deletion,do_not_delete");

  public static final int MAX_KEY_LENGTH = 255;
  public static final int MAX_STRING_LENGTH = 255;

  private final List<String> diskFormats;
  private final List<String> containerFormats;

  public ImageSchema(List<String> diskFormats, List<String> containerFormats) {
    this.diskFormats = List.copyOf(diskFormats);
    this.containerFormats = List.copyOf(containerFormats);
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
   * Checks one writable attribute's JSON value (as decoded by Vert.x: String, Boolean, Number,
   * JsonArray, null); throws 400 with the schema's complaint.
   */
  public void checkValue(String key, Object value) {
    switch (key) {
      case "id" -> {
        String s = string(key, value, false);
        if (!UUID.matcher(s).matches()) {
          throw invalid(key, value, "does not match the UUID pattern");
        }
      }
      case "name", "owner" -> {
        String s = string(key, value, true);
        if (s != null && s.length() > MAX_STRING_LENGTH) {
          throw invalid(key, value, "is too long");
        }
      }
      case "visibility" -> {
        String s = string(key, value, false);
        if (Visibility.parse(s).isEmpty()) {
          throw invalid(key, value, "is not one of ['community', 'public', 'private', 'shared']");
        }
      }
      case "protected", "os_hidden" -> {
        if (!(value instanceof Boolean)) {
          throw invalid(key, value, "is not of type 'boolean'");
        }
      }
      case "container_format" -> enumOrNull(key, value, containerFormats);
      case "disk_format" -> enumOrNull(key, value, diskFormats);
      case "min_ram", "min_disk" -> {
        if (!(value instanceof Integer || value instanceof Long)) {
          throw invalid(key, value, "is not of type 'integer'");
        }
        long n = ((Number) value).longValue();
        if (n < 0) {
          throw invalid(key, value, "is less than the minimum of 0");
        }
        if (n > Integer.MAX_VALUE) {
          throw invalid(key, value, "is too large");
        }
      }
      case "tags" -> {
        if (!(value instanceof Iterable<?> it)) {
          throw invalid(key, value, "is not of type 'array'");
        }
        for (Object t : it) {
          String s = string(key, t, false);
          if (s.length() > MAX_STRING_LENGTH) {
            throw invalid(key, t, "is too long");
          }
        }
      }
      case "os_hash_algo", "os_hash_value", "checksum" -> string(key, value, true);
      default -> checkCustom(key, value);
    }
  }

  /** A custom property: a key of at most 255 characters and a string value (operator rules apply). */
  public void checkCustom(String key, Object value) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw ImagoException.badRequest("Property name '%s' is not between 1 and 255 characters long.", abbreviate(key));
    }
    checkText(key, key);
    String rule = OPERATOR_PROPERTIES.get(key);
    if ("uuid-or-null".equals(rule)) {
      if (value == null) {
        return;
      }
      String s = string(key, value, false);
      if (!UUID.matcher(s).matches()) {
        throw invalid(key, value, "does not match the UUID pattern");
      }
      return;
    }
    String s = string(key, value, false);
    if (rule != null && rule.startsWith("enum:") && !List.of(rule.substring(5).split(",")).contains(s)) {
      throw invalid(key, value, "is not one of [" + rule.substring(5) + "]");
    }
  }

  private void enumOrNull(String key, Object value, List<String> allowed) {
    if (value == null) {
      return;
    }
    String s = string(key, value, false);
    if (!allowed.contains(s)) {
      throw invalid(key, value, "is not one of " + allowed);
    }
  }

  private static String string(String key, Object value, boolean nullable) {
    if (value == null) {
      if (nullable) {
        return null;
      }
      throw invalid(key, null, "is not of type 'string'");
    }
    if (!(value instanceof String s)) {
      throw invalid(key, value, "is not of type 'string'");
    }
    checkText(key, s);
    return s;
  }

  /**
   * Glance (MySQL heritage) refuses characters outside the Basic Multilingual Plane; clients
   * depend on the 400 (spec ERRATA 13), and so do we.
   */
  static void checkText(String key, String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        throw ImagoException.badRequest("Invalid value for '%s': 4-byte UTF-8 characters are not supported",
            abbreviate(key));
      }
    }
  }

  private static ImagoException invalid(String key, Object value, String why) {
    return ImagoException.badRequest("Invalid value '%s' for '%s': %s", abbreviate(String.valueOf(value)),
        abbreviate(key), why);
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
