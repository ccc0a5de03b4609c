package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.SchemaValidator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /v2/schemas/*} (spec/images-api.md §4.17), compared with what the reference Glance serves
 * (test resources {@code glance-zed/}), and every image response validated against our own image
 * schema, as python-glanceclient does.
 */
class SchemasIT {
  /** Locations and direct_url shown, so that responses carry every attribute the schema knows. */
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("images.show_multiple_locations", "true")
      .with("images.show_image_direct_url", "true");

  @RegisterExtension
  static final ImagoServer formats = new ImagoServer()
      .with("images.disk_formats", "raw,qcow2")
      .with("images.container_formats", "bare");

  private final Http http = server.http();

  @Test
  void imageSchemaIsGlancesDocument() {
    JsonObject ours = http.get("/v2/schemas/image").expect(200).json();
    JsonObject glance = reference("image");
    assertThat(ours).isEqualTo(glance);
    assertThat(ours.fieldNames()).containsExactlyElementsOf(glance.fieldNames());
    assertThat(ours.getJsonObject("properties").fieldNames())
        .containsExactlyElementsOf(glance.getJsonObject("properties").fieldNames());
    // what python-glanceclient relies on
    JsonObject props = ours.getJsonObject("properties");
    assertThat(props.getJsonObject("kernel_id").getBoolean("is_base")).isFalse();
    assertThat(props.getJsonObject("name").containsKey("is_base")).isFalse();
    assertThat(ours.getJsonObject("additionalProperties")).isEqualTo(new JsonObject().put("type", "string"));
  }

  @Test
  void collectionMemberAndTaskSchemasAreGlances() {
    assertThat(http.get("/v2/schemas/images").expect(200).json()).isEqualTo(reference("images"));
    assertThat(http.get("/v2/schemas/member").expect(200).json()).isEqualTo(reference("member"));
    assertThat(http.get("/v2/schemas/members").expect(200).json()).isEqualTo(reference("members"));
    // Glance 2024.2 added the location_import task type; the reference is Zed.
    JsonObject task = http.get("/v2/schemas/task").expect(200).json();
    JsonArray types = task.getJsonObject("properties").getJsonObject("type").getJsonArray("enum");
    assertThat(types).containsExactly("import", "api_image_import", "location_import");
    types.remove("location_import");
    assertThat(task).isEqualTo(reference("task"));
    JsonObject tasks = http.get("/v2/schemas/tasks").expect(200).json();
    tasks.getJsonObject("properties").getJsonObject("tasks").getJsonObject("items").getJsonObject("properties")
        .getJsonObject("type").getJsonArray("enum").remove("location_import");
    assertThat(tasks).isEqualTo(reference("tasks"));
  }

  @Test
  void configuredFormatsAreTheEnums() {
    Http f = formats.http();
    JsonObject props = f.get("/v2/schemas/image").expect(200).json().getJsonObject("properties");
    assertThat(props.getJsonObject("disk_format").getJsonArray("enum").getList()).containsExactly(null, "raw", "qcow2");
    assertThat(props.getJsonObject("container_format").getJsonArray("enum").getList()).containsExactly(null, "bare");
    assertGlanceError(f.post("/v2/images", new JsonObject().put("disk_format", "vmdk")), 400);
    String id = f.post("/v2/images", new JsonObject().put("disk_format", "qcow2")).expect(201).json().getString("id");
    assertGlanceError(f.patch("/v2/images/" + id, new JsonArray().add(new JsonObject().put("op", "replace")
        .put("path", "/container_format").put("value", "ovf"))), 400);
  }

  @Test
  void bodiesAndMethods() {
    for (String name : new String[] {"image", "images", "member", "members"}) {
      assertGlanceError(http.send("GET", "/v2/schemas/" + name, HttpRequest.BodyPublishers.ofString("{}")), 400);
    }
    for (String name : new String[] {"task", "tasks"}) {
      Http.Resp r = http.send("GET", "/v2/schemas/" + name, HttpRequest.BodyPublishers.ofString("{}")).expect(200);
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
    }
    Http.Resp r = http.post("/v2/schemas/image", new JsonObject());
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET");
    assertGlanceError(http.get("/v2/schemas/nope"), 404);
  }

  @Test
  void everyImageWeReturnValidatesAgainstOurSchema() {
    JsonObject schema = http.get("/v2/schemas/image").expect(200).json();
    Http alice = http.as("p-alice", "member", "reader");
    List<JsonObject> seen = new ArrayList<>();

    seen.add(alice.post("/v2/images", new JsonObject()).expect(201).json());
    seen.add(alice.post("/v2/images", new JsonObject()
        .put("name", "everything").put("visibility", "community").put("protected", true).put("os_hidden", true)
        .put("disk_format", "qcow2").put("container_format", "ovf").put("min_ram", 2048).put("min_disk", 40)
        .put("tags", new JsonArray().add("a").add("ü")).put("kernel_id", null)
        .put("ramdisk_id", "9739be2a-4015-4c8f-8b4c-37a74cee49c3").put("architecture", "x86_64")
        .put("description", "d".repeat(1000)).put("cinder_encryption_key_deletion_policy", "on_image_deletion")
        .put("hw_disk_bus", "virtio").put("x".repeat(255), "")).expect(201).json());
    seen.add(http.post("/v2/images", new JsonObject().put("owner", null).put("visibility", "public")).expect(201)
        .json());

    String active = Fixtures.activeImage(alice, Fixtures.bytes(4096, 9));
    JsonObject shown = alice.get("/v2/images/" + active).expect(200).json();
    assertThat(shown.getString("checksum")).isNotNull();
    assertThat(shown.getJsonArray("locations")).hasSize(1);
    assertThat(shown.getString("direct_url")).startsWith("file://");
    seen.add(shown);
    seen.add(http.get("/v2/images/" + active).expect(200).json());
    seen.add(alice.patch("/v2/images/" + active, new JsonArray()
        .add(new JsonObject().put("op", "add").put("path", "/os_distro").put("value", "debian"))
        .add(new JsonObject().put("op", "replace").put("path", "/min_ram").put("value", 1.0))
        .add(new JsonObject().put("op", "add").put("path", "/tags").put("value", new JsonArray().add("t"))))
        .expect(200).json());
    // a reader of another project sees a community image without its locations
    String community = seen.get(1).getString("id");
    seen.add(http.as("p-bob", "reader").get("/v2/images/" + community).expect(200).json());

    for (JsonObject image : seen) {
      assertThat(SchemaValidator.violations(schema, image)).as(image.encode()).isEmpty();
      for (String base : new String[] {"id", "name", "status", "visibility", "protected", "os_hidden", "checksum",
          "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "container_format", "disk_format",
          "created_at", "updated_at", "tags", "min_ram", "min_disk", "self", "file", "schema", "locations"}) {
        assertThat(image.containsKey(base)).as(base + " in " + image.encode()).isTrue();
      }
    }
  }

  @Test
  void theValidatorCatchesWhatGlanceclientWouldReject() {
    // guards the guard: the checks above are only as good as this validator
    JsonObject schema = http.get("/v2/schemas/image").expect(200).json();
    JsonObject ok = http.post("/v2/images", new JsonObject()).expect(201).json();
    assertThat(SchemaValidator.violations(schema, ok)).isEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("size", "5"))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("custom", 5))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("kernel_id", "x"))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("status", "bogus"))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("disk_format", "bogus"))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("name", "n".repeat(256)))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("tags", new JsonArray().add(1)))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("locations", new JsonArray()
        .add(new JsonObject().put("url", "u"))))).isNotEmpty();
    assertThat(SchemaValidator.violations(schema, ok.copy().put("min_ram", true))).isNotEmpty();
  }

  private static JsonObject reference(String name) {
    try (InputStream in = SchemasIT.class.getResourceAsStream("/glance-zed/schema-" + name + ".json")) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
