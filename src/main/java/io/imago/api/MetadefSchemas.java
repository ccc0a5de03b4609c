package io.imago.api;

import io.imago.domain.ImagoException;
import io.imago.domain.metadef.JsonSchema;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadefs schema documents ({@code GET /v2/schemas/metadefs/*}, spec/images-api.md §4.17),
 * field for field as Glance (Zed) serves them, and the validators of request bodies built from
 * the same documents, as Glance validates its bodies against them.
 */
public final class MetadefSchemas {
  static final List<String> NAMES = List.of("namespace", "namespaces", "resource_type", "resource_types",
      "property", "properties", "object", "objects", "tag", "tags");

  private final Map<String, String> encoded = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> documents = new LinkedHashMap<>();

  final JsonSchema namespace;
  final JsonSchema object;
  final JsonSchema property;
  /** A property fragment inside an object: {@code name} not required. */
  final JsonSchema fragment;
  final JsonSchema association;
  final JsonSchema tag;
  /** The body of {@code POST …/tags}: {@code {"tags": [{"name": …}]}}. */
  final JsonSchema tagList;

  @SuppressWarnings("unchecked")
  public MetadefSchemas() {
    for (String name : NAMES) {
      String text = resource("metadefs/schemas/" + name + ".json");
      JsonObject doc = new JsonObject(text);
      encoded.put(name, doc.encode());
      documents.put(name, (Map<String, Object>) PlainJson.of(doc));
    }
    namespace = new JsonSchema(documents.get("namespace"));
    object = new JsonSchema(documents.get("object"));
    property = new JsonSchema(documents.get("property"));
    Map<String, Object> frag = new LinkedHashMap<>(documents.get("property"));
    frag.put("required", List.of("title", "type"));
    fragment = new JsonSchema(frag);
    association = new JsonSchema(documents.get("resource_type"));
    tag = new JsonSchema(documents.get("tag"));
    tagList = new JsonSchema(Map.of("name", "tags", "additionalProperties", false, "properties",
        Map.of("tags", Map.of("type", "array", "items", Map.of("type", "object", "required", List.of("name"),
            "additionalProperties", false, "properties", Map.of("name", Map.of("type", "string")))))));
  }

  /** {@code GET /v2/schemas/metadefs/{name}}. */
  void send(RoutingContext rc, String name) {
    rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(encoded.get(name));
  }

  /** 400 with Glance's message when {@code body} violates {@code schema}. */
  static void validate(JsonSchema schema, String name, Object body) {
    schema.violation(body).ifPresent(v -> {
      throw ImagoException.badRequest("Provided object does not match schema '%s': %s", name, v);
    });
  }

  private static String resource(String path) {
    try (InputStream in = MetadefSchemas.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("not on the classpath: " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
