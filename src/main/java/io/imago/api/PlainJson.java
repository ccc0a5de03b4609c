package io.imago.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded JSON as plain Java values (Map, List, String, Number, Boolean, null), the form the
 * {@code domain} rules take: they must not depend on Vert.x.
 */
final class PlainJson {
  private PlainJson() {}

  static Object of(Object json) {
    if (json instanceof JsonObject o) {
      return of(o.getMap());
    }
    if (json instanceof JsonArray a) {
      return of(a.getList());
    }
    if (json instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
      return out;
    }
    if (json instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object v : l) {
        out.add(of(v));
      }
      return out;
    }
    return json;
  }
}
