package io.imago.domain.metadef;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The subset of JSON Schema that Glance's metadefs schema documents use, with the semantics of
 * Python's {@code jsonschema} that Glance validates request bodies with: {@code type} (also a
 * list; an integral number is an {@code integer}, a boolean is not a number), {@code enum},
 * {@code minLength}/{@code maxLength} (code points), {@code minimum}/{@code maximum},
 * {@code pattern} (searched), {@code properties}, {@code additionalProperties} (false or a
 * schema), {@code required}, {@code items}, {@code minItems}/{@code maxItems},
 * {@code uniqueItems}, {@code allOf} and {@code $ref} into {@code #/definitions}. Other keywords
 * ({@code format}, {@code readOnly}, {@code description}) are annotations, as without a format
 * checker. Values are plain Java JSON (Map, List, String, Number, Boolean, null).
 */
public final class JsonSchema {
  private final Map<String, Object> root;

  public JsonSchema(Map<String, Object> root) {
    this.root = root;
  }

  /** The first violation of this schema by {@code value}, as "where: what"; empty when valid. */
  public Optional<String> violation(Object value) {
    List<String> out = new ArrayList<>();
    check(root, value, "", out);
    return out.stream().findFirst();
  }

  /** The schema of one of the root's properties, with the root's definitions. */
  public JsonSchema property(String name) {
    Object props = root.get("properties");
    Object sub = props instanceof Map<?, ?> m ? m.get(name) : null;
    if (!(sub instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("no property " + name + " in schema " + root.get("name"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> s = new java.util.LinkedHashMap<>((Map<String, Object>) sub);
    if (root.containsKey("definitions")) {
      s.put("definitions", root.get("definitions"));
    }
    return new JsonSchema(s);
  }

  @SuppressWarnings("unchecked")
  private void check(Map<String, Object> schema, Object value, String at, List<String> out) {
    if (!out.isEmpty()) {
      return;
    }
    Object ref = schema.get("$ref");
    if (ref instanceof String r) {
      check(resolve(r), value, at, out);
      return;
    }
    if (schema.get("allOf") instanceof List<?> all) {
      for (Object s : all) {
        check((Map<String, Object>) s, value, at, out);
      }
    }
    Object type = schema.get("type");
    if (type != null && !typeMatches(type, value)) {
      out.add(where(at) + describe(value) + " is not of type " + typeText(type));
      return;
    }
    if (schema.get("enum") instanceof List<?> en && en.stream().noneMatch(e -> jsonEquals(e, value))) {
      out.add(where(at) + describe(value) + " is not one of " + en);
      return;
    }
    if (value instanceof String s) {
      int n = s.codePointCount(0, s.length());
      if (schema.get("maxLength") instanceof Number max && n > max.longValue()) {
        out.add(where(at) + describe(value) + " is too long");
      } else if (schema.get("minLength") instanceof Number min && n < min.longValue()) {
        out.add(where(at) + describe(value) + " is too short");
      } else if (schema.get("pattern") instanceof String p && !matches(p, s)) {
        out.add(where(at) + describe(value) + " does not match '" + p + "'");
      }
    } else if (value instanceof Number num && !(value instanceof Boolean)) {
      BigDecimal v = decimal(num);
      if (schema.get("minimum") instanceof Number min && v.compareTo(decimal(min)) < 0) {
        out.add(where(at) + value + " is less than the minimum of " + min);
      } else if (schema.get("maximum") instanceof Number max && v.compareTo(decimal(max)) > 0) {
        out.add(where(at) + value + " is greater than the maximum of " + max);
      }
    } else if (value instanceof Map<?, ?> obj) {
      checkObject(schema, (Map<String, Object>) obj, at, out);
    } else if (value instanceof List<?> list) {
      checkArray(schema, list, at, out);
    }
  }

  @SuppressWarnings("unchecked")
  private void checkObject(Map<String, Object> schema, Map<String, Object> obj, String at, List<String> out) {
    if (schema.get("required") instanceof List<?> req) {
      for (Object r : req) {
        if (!obj.containsKey(r)) {
          out.add(where(at) + "'" + r + "' is a required property");
          return;
        }
      }
    }
    Map<String, Object> props = schema.get("properties") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
    Object additional = schema.get("additionalProperties");
    for (Map.Entry<String, Object> e : obj.entrySet()) {
      Object sub = props.get(e.getKey());
      if (sub instanceof Map<?, ?> s) {
        check((Map<String, Object>) s, e.getValue(), at + "/" + e.getKey(), out);
      } else if (Boolean.FALSE.equals(additional)) {
        out.add(where(at) + "Additional properties are not allowed ('" + e.getKey() + "' was unexpected)");
      } else if (additional instanceof Map<?, ?> s) {
        check((Map<String, Object>) s, e.getValue(), at + "/" + e.getKey(), out);
      }
      if (!out.isEmpty()) {
        return;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void checkArray(Map<String, Object> schema, List<?> list, String at, List<String> out) {
    if (schema.get("minItems") instanceof Number min && list.size() < min.longValue()) {
      out.add(where(at) + list + " is too short");
      return;
    }
    if (schema.get("maxItems") instanceof Number max && list.size() > max.longValue()) {
      out.add(where(at) + list + " is too long");
      return;
    }
    if (Boolean.TRUE.equals(schema.get("uniqueItems"))) {
      Set<Object> seen = new HashSet<>();
      for (Object v : list) {
        if (!seen.add(v instanceof Number n && !(v instanceof Boolean) ? decimal(n).stripTrailingZeros() : v)) {
          out.add(where(at) + list + " has non-unique elements");
          return;
        }
      }
    }
    if (schema.get("items") instanceof Map<?, ?> items) {
      for (int i = 0; i < list.size() && out.isEmpty(); i++) {
        check((Map<String, Object>) items, list.get(i), at + "/" + i, out);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> resolve(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("unsupported $ref: " + ref);
    }
    Object node = root;
    for (String part : ref.substring(2).split("/")) {
      node = node instanceof Map<?, ?> m ? m.get(part) : null;
    }
    if (!(node instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("unresolvable $ref: " + ref);
    }
    return (Map<String, Object>) node;
  }

  private static boolean typeMatches(Object type, Object value) {
    if (type instanceof List<?> types) {
      return types.stream().anyMatch(t -> typeMatches(t, value));
    }
    return switch (String.valueOf(type)) {
      case "string" -> value instanceof String;
      case "boolean" -> value instanceof Boolean;
      case "null" -> value == null;
      case "object" -> value instanceof Map<?, ?>;
      case "array" -> value instanceof List<?>;
      case "number" -> value instanceof Number;
      case "integer" -> value instanceof Number n && isIntegral(n);
      default -> true;
    };
  }

  private static boolean isIntegral(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return !Double.isInfinite(d) && d == Math.rint(d);
    }
    if (n instanceof BigDecimal b) {
      return b.stripTrailingZeros().scale() <= 0;
    }
    return true;
  }

  private static boolean jsonEquals(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y && !(a instanceof Boolean) && !(b instanceof Boolean)) {
      return decimal(x).compareTo(decimal(y)) == 0;
    }
    return a == null ? b == null : a.equals(b);
  }

  private static BigDecimal decimal(Number n) {
    return n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
  }

  private static boolean matches(String pattern, String s) {
    try {
      return Pattern.compile(pattern).matcher(s).find();
    } catch (PatternSyntaxException e) {
      return true;
    }
  }

  private static String where(String at) {
    return at.isEmpty() ? "" : at.substring(1) + ": ";
  }

  private static String typeText(Object type) {
    return type instanceof List<?> l ? l.toString() : "'" + type + "'";
  }

  private static String describe(Object v) {
    return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
  }
}
