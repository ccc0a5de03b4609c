package io.imago.api;

import io.imago.domain.metadef.Association;
import io.imago.domain.metadef.MetadefObject;
import io.imago.domain.metadef.MetadefProperty;
import io.imago.domain.metadef.MetadefTag;
import io.imago.domain.metadef.Namespace;
import io.imago.domain.metadef.NamespaceDocument;
import io.imago.domain.metadef.ResourceType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Glance's JSON for the metadefs catalog (spec/metadefs.md): keys without a value are left out,
 * second-precision UTC timestamps, property fragments with the fields of Glance's
 * {@code PropertyType} only (what a definition file holds beyond them is kept, and exported, but
 * not shown, as in Glance).
 */
final class MetadefView {
  /** The fields of a property fragment Glance shows, in its model's order. */
  static final List<String> FRAGMENT_FIELDS = List.of("name", "type", "title", "description", "operators", "default",
      "readonly", "minimum", "maximum", "enum", "pattern", "minLength", "maxLength", "confidential", "items",
      "uniqueItems", "minItems", "maxItems", "additionalItems");

  private MetadefView() {}

  static String namespaceHref(String name) {
    return "/v2/metadefs/namespaces/" + name;
  }

  static JsonObject namespace(Namespace ns, List<Association> associations) {
    JsonObject o = new JsonObject().put("namespace", ns.namespace());
    put(o, "display_name", ns.displayName());
    put(o, "description", ns.description());
    put(o, "visibility", ns.visibility());
    put(o, "protected", ns.isProtected());
    put(o, "owner", ns.owner());
    o.put("created_at", ImageView.timestamp(ns.createdAt()));
    o.put("updated_at", ImageView.timestamp(ns.updatedAt()));
    if (associations != null && !associations.isEmpty()) {
      o.put("resource_type_associations", associations(associations));
    }
    return o.put("schema", "/v2/schemas/metadefs/namespace").put("self", namespaceHref(ns.namespace()));
  }

  /**
   * The namespace with everything it holds; with {@code prefix}, property names (and objects'
   * property and required names) as they are on that resource type.
   */
  static JsonObject document(NamespaceDocument d, String prefix) {
    JsonObject o = namespace(d.namespace(), d.associations());
    String p = prefix == null ? "" : prefix;
    if (!d.properties().isEmpty()) {
      JsonObject props = new JsonObject();
      for (MetadefProperty mp : d.properties()) {
        props.put(p + mp.name(), fragment(mp.schema(), null));
      }
      o.put("properties", props);
    }
    if (!d.objects().isEmpty()) {
      JsonArray objs = new JsonArray();
      for (MetadefObject mo : d.objects()) {
        objs.add(object(d.namespace().namespace(), mo, p));
      }
      o.put("objects", objs);
    }
    if (!d.tags().isEmpty()) {
      JsonArray tags = new JsonArray();
      d.tags().forEach(t -> tags.add(new JsonObject().put("name", t.name())));
      o.put("tags", tags);
    }
    return o;
  }

  static JsonArray associations(List<Association> associations) {
    JsonArray a = new JsonArray();
    associations.forEach(x -> a.add(association(x)));
    return a;
  }

  static JsonObject association(Association a) {
    JsonObject o = new JsonObject().put("name", a.name());
    put(o, "prefix", a.prefix());
    put(o, "properties_target", a.propertiesTarget());
    o.put("created_at", ImageView.timestamp(a.createdAt()));
    o.put("updated_at", ImageView.timestamp(a.updatedAt()));
    return o;
  }

  static JsonObject resourceType(ResourceType t) {
    return new JsonObject().put("name", t.name()).put("created_at", ImageView.timestamp(t.createdAt()))
        .put("updated_at", ImageView.timestamp(t.updatedAt()));
  }

  static JsonObject object(String namespace, MetadefObject mo, String prefix) {
    String p = prefix == null ? "" : prefix;
    JsonObject o = new JsonObject().put("name", mo.name());
    put(o, "description", mo.description());
    JsonArray required = new JsonArray();
    if (mo.required() != null) {
      mo.required().forEach(r -> required.add(p + r));
    }
    o.put("required", required);
    JsonObject props = new JsonObject();
    if (mo.properties() != null) {
      mo.properties().forEach((name, frag) -> props.put(p + name, fragment(frag, null)));
    }
    o.put("properties", props);
    o.put("schema", "/v2/schemas/metadefs/object");
    o.put("self", namespaceHref(namespace) + "/objects/" + mo.name());
    o.put("created_at", ImageView.timestamp(mo.createdAt()));
    o.put("updated_at", ImageView.timestamp(mo.updatedAt()));
    return o;
  }

  /** A property as its own resource: the fragment with its {@code name}. */
  static JsonObject property(MetadefProperty p) {
    return fragment(p.schema(), p.name());
  }

  @SuppressWarnings("unchecked")
  static JsonObject fragment(Object schema, String name) {
    JsonObject o = new JsonObject();
    if (name != null) {
      o.put("name", name);
    }
    if (!(schema instanceof Map<?, ?> m)) {
      return o;
    }
    for (String f : FRAGMENT_FIELDS) {
      Object v = m.get(f);
      if (v == null || f.equals("name")) {
        continue;
      }
      if (f.equals("items") && v instanceof Map<?, ?> items) {
        JsonObject it = new JsonObject();
        put(it, "type", items.get("type"));
        if (items.get("enum") instanceof List<?> en) {
          it.put("enum", new JsonArray(new java.util.ArrayList<>(en)));
        }
        o.put("items", it);
      } else {
        o.put(f, wrap(v));
      }
    }
    return o;
  }

  static JsonObject tag(MetadefTag t) {
    return new JsonObject().put("name", t.name()).put("created_at", ImageView.timestamp(t.createdAt()))
        .put("updated_at", ImageView.timestamp(t.updatedAt()));
  }

  @SuppressWarnings("unchecked")
  private static Object wrap(Object v) {
    if (v instanceof Map<?, ?> m) {
      return new JsonObject((Map<String, Object>) m);
    }
    if (v instanceof List<?> l) {
      return new JsonArray((List<Object>) l);
    }
    return v;
  }

  private static void put(JsonObject o, String k, Object v) {
    if (v != null) {
      o.put(k, v);
    }
  }
}
