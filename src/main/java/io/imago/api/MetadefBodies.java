package io.imago.api;

import io.imago.domain.ImagoException;
import io.imago.domain.metadef.Association;
import io.imago.domain.metadef.MetadefObject;
import io.imago.domain.metadef.MetadefProperty;
import io.imago.domain.metadef.MetadefTag;
import io.imago.domain.metadef.Namespace;
import io.imago.domain.metadef.NamespaceDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request bodies of the metadefs API as Glance reads them: read-only keys are a 403, then the
 * body is validated against the resource's schema document (400), then read into the model,
 * which keeps only the fields the model knows (property fragments: {@link MetadefView#FRAGMENT_FIELDS}).
 * Text with a NUL character is a 400 (PostgreSQL cannot store it).
 */
final class MetadefBodies {
  private static final List<String> READ_ONLY = List.of("self", "schema", "created_at", "updated_at");
  private static final List<String> TIMESTAMPS = List.of("created_at", "updated_at");

  private final MetadefSchemas schemas;

  MetadefBodies(MetadefSchemas schemas) {
    this.schemas = schemas;
  }

  /** A namespace create or replace body, with what it nests (create only keeps those). */
  @SuppressWarnings("unchecked")
  NamespaceDocument namespace(Object json, String callerProject) {
    Map<String, Object> body = object(json);
    readOnly(body, READ_ONLY);
    MetadefSchemas.validate(schemas.namespace, "namespace", body);
    noNul(body);
    Namespace ns = new Namespace(0, (String) body.get("namespace"), (String) body.get("display_name"),
        (String) body.get("description"), body.get("visibility") == null ? "private" : (String) body.get("visibility"),
        body.get("protected") == null ? Boolean.FALSE : (Boolean) body.get("protected"),
        body.get("owner") == null ? callerProject : (String) body.get("owner"), null, null);
    List<Association> assocs = new ArrayList<>();
    if (body.get("resource_type_associations") instanceof List<?> l) {
      for (Object a : l) {
        assocs.add(association((Map<String, Object>) a, false));
      }
    }
    List<MetadefProperty> props = new ArrayList<>();
    if (body.get("properties") instanceof Map<?, ?> m) {
      ((Map<String, Object>) m).forEach((name, frag) -> props.add(new MetadefProperty(name, fragment(frag))));
    }
    List<MetadefObject> objs = new ArrayList<>();
    if (body.get("objects") instanceof List<?> l) {
      for (Object o : l) {
        objs.add(objectOf((Map<String, Object>) o));
      }
    }
    List<MetadefTag> tags = new ArrayList<>();
    if (body.get("tags") instanceof List<?> l) {
      for (Object t : l) {
        Object name = t instanceof Map<?, ?> tm ? tm.get("name") : null;
        if (!(name instanceof String s)) {
          throw ImagoException.badRequest("Provided object does not match schema 'namespace': a tag needs a name");
        }
        tags.add(new MetadefTag(s, null, null));
      }
    }
    return new NamespaceDocument(ns, assocs, props, objs, tags);
  }

  /** An object create ({@code strict}: each fragment also against the property schema) or replace body. */
  @SuppressWarnings("unchecked")
  MetadefObject object(Object json, boolean strict) {
    Map<String, Object> body = object(json);
    readOnly(body, READ_ONLY);
    MetadefSchemas.validate(schemas.object, "object", body);
    if (strict && body.get("properties") instanceof Map<?, ?> m) {
      for (Object frag : m.values()) {
        MetadefSchemas.validate(schemas.fragment, "property", frag);
      }
    }
    noNul(body);
    return objectOf(body);
  }

  @SuppressWarnings("unchecked")
  private static MetadefObject objectOf(Map<String, Object> o) {
    if (!(o.get("name") instanceof String name)) {
      throw ImagoException.badRequest("Provided object does not match schema 'object': 'name' is a required property");
    }
    Map<String, Object> props = null;
    if (o.get("properties") instanceof Map<?, ?> m) {
      props = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
        props.put(e.getKey(), fragment(e.getValue()));
      }
    }
    List<String> required = o.get("required") instanceof List<?> r ? (List<String>) r : null;
    return new MetadefObject(name, (String) o.get("description"), required, props, null, null);
  }

  /** A property create or replace body: the fragment and its name. */
  MetadefProperty property(Object json) {
    Map<String, Object> body = object(json);
    readOnly(body, TIMESTAMPS);
    MetadefSchemas.validate(schemas.property, "property", body);
    noNul(body);
    return new MetadefProperty((String) body.get("name"), fragment(body));
  }

  /** A resource type association body. */
  Association association(Object json) {
    Map<String, Object> body = object(json);
    readOnly(body, TIMESTAMPS);
    MetadefSchemas.validate(schemas.association, "resource_type_association", body);
    noNul(body);
    return association(body, true);
  }

  private static Association association(Map<String, Object> a, boolean validated) {
    if (!(a.get("name") instanceof String name)) {
      throw ImagoException.badRequest(
          "Provided object does not match schema 'resource_type_association': 'name' is a required property");
    }
    return new Association(name, (String) a.get("prefix"), (String) a.get("properties_target"), null, null);
  }

  /** A tag rename body: the new name. */
  String tag(Object json) {
    Map<String, Object> body = object(json);
    readOnly(body, TIMESTAMPS);
    MetadefSchemas.validate(schemas.tag, "tag", body);
    noNul(body);
    return (String) body.get("name");
  }

  /** A tag name from the path, checked as Glance checks it ({@code {"name": …}} against the tag schema). */
  void tagName(String name) {
    MetadefSchemas.validate(schemas.tag, "tag", Map.of("name", name));
    noNul(name);
  }

  /** The names of a {@code POST …/tags} body, in order. */
  @SuppressWarnings("unchecked")
  List<String> tags(Object json) {
    Map<String, Object> body = object(json);
    readOnly(body, TIMESTAMPS);
    MetadefSchemas.validate(schemas.tagList, "tags", body);
    noNul(body);
    List<String> names = new ArrayList<>();
    if (body.get("tags") instanceof List<?> l) {
      for (Object t : l) {
        names.add((String) ((Map<String, Object>) t).get("name"));
      }
    }
    return names;
  }

  /** A fragment as Glance's model keeps it: its known fields, without {@code name} and nulls. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> fragment(Object value) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!(value instanceof Map<?, ?> m)) {
      return out;
    }
    for (String f : MetadefView.FRAGMENT_FIELDS) {
      Object v = m.get(f);
      if (v == null || f.equals("name")) {
        continue;
      }
      if (f.equals("items") && v instanceof Map<?, ?> items) {
        Map<String, Object> it = new LinkedHashMap<>();
        if (items.get("type") != null) {
          it.put("type", items.get("type"));
        }
        if (items.get("enum") != null) {
          it.put("enum", items.get("enum"));
        }
        out.put("items", it);
      } else {
        out.put(f, v);
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object json) {
    Object plain = PlainJson.of(json);
    if (!(plain instanceof Map<?, ?> m)) {
      throw ImagoException.badRequest("Unexpected body type. Expected dict.");
    }
    return (Map<String, Object>) m;
  }

  private static void readOnly(Map<String, Object> body, List<String> keys) {
    for (String k : keys) {
      if (body.containsKey(k)) {
        throw ImagoException.forbidden("Attribute '%s' is read-only.", k);
      }
    }
  }

  private static void noNul(Object v) {
    if (v instanceof String s && s.indexOf('\0') >= 0) {
      throw ImagoException.badRequest("Text must not contain a NUL character");
    }
    if (v instanceof Map<?, ?> m) {
      m.forEach((k, x) -> {
        noNul(k);
        noNul(x);
      });
    } else if (v instanceof List<?> l) {
      l.forEach(MetadefBodies::noNul);
    }
  }
}
