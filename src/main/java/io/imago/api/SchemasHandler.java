package io.imago.api;

import io.imago.domain.ImageSchema;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v2/schemas/{image,images,member,members,task,tasks}} (spec/images-api.md §4.17):
 * JSON-Schema documents, field for field as Glance serves them. python-glanceclient builds its
 * image model from {@code image} and validates every image it receives against it, so that one
 * comes from {@link ImageSchema}, the same rules create and PATCH enforce.
 */
public final class SchemasHandler {
  private final String image;
  private final String images;
  private final String member;
  private final String members;
  private final String task;
  private final String tasks;

  public SchemasHandler(ImageSchema schema) {
    Map<String, Object> imageDoc = schema.document();
    this.image = new JsonObject(imageDoc).encode();
    this.images = new JsonObject(collection("images", imageDoc, true)).encode();
    Map<String, Object> memberDoc = memberSchema();
    this.member = new JsonObject(memberDoc).encode();
    this.members = new JsonObject(collection("members", memberDoc, false)).encode();
    this.task = new JsonObject(taskSchema(false)).encode();
    this.tasks = new JsonObject(collection("tasks", taskSchema(true), false)).encode();
  }

  public void image(RoutingContext rc) {
    send(rc, image);
  }

  public void images(RoutingContext rc) {
    send(rc, images);
  }

  public void member(RoutingContext rc) {
    send(rc, member);
  }

  public void members(RoutingContext rc) {
    send(rc, members);
  }

  public void task(RoutingContext rc) {
    send(rc, task);
  }

  public void tasks(RoutingContext rc) {
    send(rc, tasks);
  }

  private static void send(RoutingContext rc, String json) {
    rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(json);
  }

  /**
   * Glance's {@code CollectionSchema}: the image collection carries the full item schema and
   * pagination links ({@code raw()}); members and tasks are served in the {@code minimal()} form.
   */
  private static Map<String, Object> collection(String name, Map<String, Object> item, boolean paginated) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(name, map("type", "array", "items", paginated ? item : map("name", item.get("name"),
        "properties", item.get("properties"))));
    if (paginated) {
      props.put("first", map("type", "string"));
      props.put("next", map("type", "string"));
    }
    props.put("schema", map("type", "string"));
    List<Object> links = paginated
        ? List.of(map("rel", "first", "href", "{first}"), map("rel", "next", "href", "{next}"),
            map("rel", "describedby", "href", "{schema}"))
        : List.of(map("rel", "describedby", "href", "{schema}"));
    return map("name", name, "properties", props, "links", links);
  }

  /** Glance's image member schema. */
  private static Map<String, Object> memberSchema() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("member_id", map("type", "string", "description", "An identifier for the image member (tenantId)"));
    props.put("image_id", map("type", "string", "description", "An identifier for the image",
        "pattern", ImageSchema.UUID_PATTERN));
    props.put("created_at", map("type", "string", "description", "Date and time of image member creation"));
    props.put("updated_at", map("type", "string", "description",
        "Date and time of last modification of image member"));
    props.put("status", map("type", "string", "description", "The status of this image member",
        "enum", List.of("pending", "accepted", "rejected")));
    props.put("schema", map("readOnly", true, "type", "string"));
    return map("name", "member", "properties", props);
  }

  /**
   * Glance's task schema ({@code location_import} is a task type since 2024.2); the collection's
   * items leave out {@code input}, {@code result} and {@code message}.
   */
  private static Map<String, Object> taskSchema(boolean partial) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("id", map("description", "An identifier for the task", "pattern", ImageSchema.UUID_PATTERN,
        "type", "string"));
    props.put("type", map("description", "The type of task represented by this content",
        "enum", List.of("import", "api_image_import", "location_import"), "type", "string"));
    props.put("status", map("description", "The current status of this task",
        "enum", List.of("pending", "processing", "success", "failure"), "type", "string"));
    if (!partial) {
      props.put("input", map("description", "The parameters required by task, JSON blob",
          "type", List.of("null", "object")));
      props.put("result", map("description", "The result of current task, JSON blob",
          "type", List.of("null", "object")));
    }
    props.put("owner", map("description", "An identifier for the owner of this task", "type", "string"));
    if (!partial) {
      props.put("message", map("description", "Human-readable informative message only included when appropriate"
          + " (usually on failure)", "type", "string"));
    }
    props.put("image_id", map("description", "Image associated with the task", "type", "string"));
    props.put("request_id", map("description", "Human-readable informative request-id", "type", "string"));
    props.put("user_id", map("description", "User associated with the task", "type", "string"));
    props.put("expires_at", map("description", "Datetime when this resource would be subject to removal",
        "type", List.of("null", "string")));
    props.put("created_at", map("description", "Datetime when this resource was created", "type", "string"));
    props.put("updated_at", map("description", "Datetime when this resource was updated", "type", "string"));
    props.put("self", map("readOnly", true, "type", "string"));
    props.put("schema", map("readOnly", true, "type", "string"));
    return map("name", "task", "properties", props);
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
