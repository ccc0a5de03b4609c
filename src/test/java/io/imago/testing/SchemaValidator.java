package io.imago.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The subset of JSON Schema that Glance's schema documents use ({@code type} incl. unions,
 * {@code enum}, {@code pattern}, {@code minLength}/{@code maxLength}, {@code properties},
 * {@code additionalProperties}, {@code items}, {@code required}), with the semantics of Python's
 * {@code jsonschema} that python-glanceclient applies to every image it receives: an integral
 * number is an {@code integer}, a boolean is not, lengths count code points, patterns search.
 * Unknown keywords ({@code readOnly}, {@code is_base}, {@code description}) are annotations.
 */
public final class SchemaValidator {
  private SchemaValidator() {}

  /** Every violation of {@code schema} by {@code value}, as "path: problem"; empty when valid. */
  public static List<String> violations(JsonObject schema, Object value) {
    List<String> out = new ArrayList<>();
    check(schema, value, "$", out);
    return out;
  }

  private static void check(JsonObject schema, Object value, String at, List<String> out) {
    value = unwrap(value);
    Object type = schema.getValue("type");
    if (type != null && !typeMatches(type, value)) {
      out.add(at + ": " + value + " is not of type " + type);
      return;
    }
    JsonArray en = schema.getJsonArray("enum");
    if (en != null && !en.getList().contains(value)) {
      out.add(at + ": " + value + " is not one of " + en);
    }
    if (value instanceof String s) {
      int n = s.codePointCount(0, s.length());
      if (schema.containsKey("maxLength") && n > schema.getInteger("maxLength")) {
        out.add(at + ": is longer than " + schema.getInteger("maxLength"));
      }
      if (schema.containsKey("minLength") && n < schema.getInteger("minLength")) {
        out.add(at + ": is shorter than " + schema.getInteger("minLength"));
      }
      if (schema.containsKey("pattern") && !Pattern.compile(schema.getString("pattern")).matcher(s).find()) {
        out.add(at + ": " + s + " does not match " + schema.getString("pattern"));
      }
    }
    if (value instanceof JsonObject o) {
      JsonObject props = schema.getJsonObject("properties", new JsonObject());
      for (Object req : schema.getJsonArray("required", new JsonArray())) {
        if (!o.containsKey((String) req)) {
          out.add(at + ": '" + req + "' is required");
        }
      }
      for (Map.Entry<String, Object> e : o) {
        String key = e.getKey();
        if (props.containsKey(key)) {
          check(props.getJsonObject(key), e.getValue(), at + "." + key, out);
        } else {
          Object additional = schema.getValue("additionalProperties");
          if (Boolean.FALSE.equals(additional)) {
            out.add(at + ": additional property '" + key + "' is not allowed");
          } else if (additional instanceof JsonObject a) {
            check(a, e.getValue(), at + "." + key, out);
          }
        }
      }
    }
    if (value instanceof JsonArray a && schema.getValue("items") instanceof JsonObject items) {
      for (int i = 0; i < a.size(); i++) {
        check(items, a.getValue(i), at + "[" + i + "]", out);
      }
    }
  }

  private static Object unwrap(Object v) {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return new JsonObject(map);
    }
    if (v instanceof List<?> l) {
      return new JsonArray(new ArrayList<>(l));
    }
    return v;
  }

  private static boolean typeMatches(Object type, Object value) {
    if (type instanceof JsonArray types) {
      for (Object t : types) {
        if (typeMatches(t, value)) {
          return true;
        }
      }
      return false;
    }
    return switch ((String) type) {
      case "null" -> value == null;
      case "string" -> value instanceof String;
      case "boolean" -> value instanceof Boolean;
      case "object" -> value instanceof JsonObject;
      case "array" -> value instanceof JsonArray;
      case "integer" -> value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger
          || (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()));
      case "number" -> value instanceof Number;
      default -> throw new IllegalArgumentException("type not supported by this validator: " + type);
    };
  }
}
