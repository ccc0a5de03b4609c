package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.SchemaValidator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v2/images} (spec/images-api.md §4.1): the checks in Glance's order, where the
 * reference showed that order matters (a body failing two checks gets the earlier one's code).
 */
class ImageCreateIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("images.enabled_import_methods", "glance-direct");

  @RegisterExtension
  static final ImagoServer quotas = new ImagoServer()
      .with("images.image_property_quota", "3")
      .with("images.image_tag_quota", "2");

  private final Http admin = server.http();
  private final Http alice = admin.as("p-alice", "member", "reader");

  @Test
  void emptyBodyGivesGlanceDefaults() {
    Http.Resp r = alice.post("/v2/images", new JsonObject()).expect(201);
    JsonObject image = r.json();
    String id = image.getString("id");
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(r.header("Location")).isEqualTo(server.baseUrl() + "/v2/images/" + id);
    assertThat(r.header("OpenStack-image-import-methods")).isEqualTo("glance-direct");
    assertThat(image.getString("status")).isEqualTo("queued");
    assertThat(image.getString("visibility")).isEqualTo("shared");
    assertThat(image.getString("owner")).isEqualTo("p-alice");
    assertThat(image.getBoolean("protected")).isFalse();
    assertThat(image.getBoolean("os_hidden")).isFalse();
    assertThat(image.getInteger("min_ram")).isZero();
    assertThat(image.getInteger("min_disk")).isZero();
    assertThat(image.getJsonArray("tags")).isEmpty();
    for (String key : new String[] {"name", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
        "container_format", "disk_format"}) {
      assertThat(image.containsKey(key)).as(key).isTrue();
      assertThat(image.getValue(key)).as(key).isNull();
    }
    assertThat(image.getString("self")).isEqualTo("/v2/images/" + id);
    assertThat(image.getString("file")).isEqualTo("/v2/images/" + id + "/file");
    assertThat(image.getString("schema")).isEqualTo("/v2/schemas/image");
    assertValid(image);
    assertThat(alice.get("/v2/images/" + id).expect(200).json()).isEqualTo(image);
  }

  @Test
  void everySettableAttribute() {
    JsonObject body = new JsonObject()
        .put("id", "ABCDEF01-2345-4789-abcd-ef0123456789")
        .put("name", "été")
        .put("visibility", "private")
        .put("protected", true)
        .put("os_hidden", true)
        .put("owner", "p-alice")
        .put("container_format", "bare")
        .put("disk_format", "qcow2")
        .put("min_ram", 1.0)
        .put("min_disk", 20)
        .put("tags", new JsonArray().add("a").add("b").add("a"))
        .put("kernel_id", null)
        .put("ramdisk_id", "9739be2a-4015-4c8f-8b4c-37a74cee49c3")
        .put("cinder_encryption_key_deletion_policy", "do_not_delete")
        .put("hw_disk_bus", "virtio")
        .put("k".repeat(255), "long key")
        .put("os_hash_algo", "sha1")
        .put("os_hash_value", "abc");
    JsonObject image = alice.post("/v2/images", body).expect(201).json();
    assertThat(image.getString("id")).isEqualTo("ABCDEF01-2345-4789-abcd-ef0123456789");
    assertThat(image.getString("name")).isEqualTo("été");
    assertThat(image.getString("visibility")).isEqualTo("private");
    assertThat(image.getBoolean("protected")).isTrue();
    assertThat(image.getBoolean("os_hidden")).isTrue();
    assertThat(image.getString("disk_format")).isEqualTo("qcow2");
    assertThat(image.getValue("min_ram")).isEqualTo(1);
    assertThat(image.getInteger("min_disk")).isEqualTo(20);
    assertThat(image.getJsonArray("tags")).containsExactlyInAnyOrder("a", "b");
    assertThat(image.containsKey("kernel_id")).isTrue();
    assertThat(image.getValue("kernel_id")).isNull();
    assertThat(image.getString("ramdisk_id")).isEqualTo("9739be2a-4015-4c8f-8b4c-37a74cee49c3");
    assertThat(image.getString("hw_disk_bus")).isEqualTo("virtio");
    assertThat(image.getString("k".repeat(255))).isEqualTo("long key");
    // Glance accepts and ignores the hash attributes on create (quirk Q3)
    assertThat(image.getValue("os_hash_algo")).isNull();
    assertThat(image.getValue("os_hash_value")).isNull();
    assertValid(image);
  }

  @Test
  void displayAttributesAreReadOnlyBeforeAnythingElse() {
    for (String key : new String[] {"direct_url", "self", "file", "schema", "stores"}) {
      assertGlanceError(alice.post("/v2/images", new JsonObject().put(key, "x").put("status", "bogus")), 403);
    }
  }

  @Test
  void schemaViolationsAre400() {
    JsonObject[] bad = {
        obj("name", 5), obj("name", "n".repeat(256)), obj("visibility", "bogus"), obj("visibility", null),
        obj("protected", "true"), obj("os_hidden", 0), obj("min_ram", "1"), obj("min_ram", 1.5),
        obj("min_disk", true), obj("id", "abc"), obj("id", null), obj("tags", "a"), obj("tags", new JsonArray().add(1)),
        obj("tags", new JsonArray().add("t".repeat(256))), obj("disk_format", "bogus"), obj("container_format", "x"),
        obj("owner", 5), obj("custom", null), obj("custom", 5), obj("custom", new JsonArray()),
        obj("kernel_id", "not-a-uuid"), obj("cinder_encryption_key_deletion_policy", "x"),
        obj("os_hash_algo", 5), obj("size", "5"), obj("checksum", 32), obj("status", "bogus"),
        obj("locations", "x"), obj("locations", new JsonArray().add("x")),
        // the schema comes before the reserved-name check
        obj("status", "bogus").put("deleted", "x")};
    for (JsonObject body : bad) {
      assertGlanceError(alice.post("/v2/images", body), 400);
    }
    assertGlanceError(alice.post("/v2/images", new JsonArray()), 400);
    assertGlanceError(alice.post("/v2/images", "nojson"), 400);
    assertGlanceError(alice.post("/v2/images", null), 400);
  }

  @Test
  void customKeysLongerThan255Are400() {
    assertGlanceError(alice.post("/v2/images", obj("k".repeat(256), "x")), 400);
  }

  @Test
  void reservedNamesAre403() {
    for (String key : new String[] {"location", "deleted", "deleted_at", "os_glance_import_task", "os_glancex"}) {
      assertGlanceError(alice.post("/v2/images", obj(key, "x")), 403);
    }
    assertGlanceError(alice.post("/v2/images", obj("locations", new JsonArray())), 403);
  }

  @Test
  void ownerAndVisibilityPolicies() {
    assertGlanceError(alice.post("/v2/images", obj("owner", "p-other")), 403);
    assertGlanceError(alice.post("/v2/images", obj("owner", null)), 403);
    assertGlanceError(alice.post("/v2/images", obj("visibility", "public")), 403);
    assertThat(alice.post("/v2/images", obj("visibility", "community")).expect(201).json().getString("visibility"))
        .isEqualTo("community");
    assertGlanceError(admin.as("p-alice", "reader").post("/v2/images", new JsonObject()), 403);
    JsonObject byAdmin = admin.post("/v2/images", obj("owner", "p-other").put("visibility", "public"))
        .expect(201).json();
    assertThat(byAdmin.getString("owner")).isEqualTo("p-other");
    assertThat(byAdmin.getString("visibility")).isEqualTo("public");
    assertThat(admin.post("/v2/images", obj("owner", null)).expect(201).json().getValue("owner")).isNull();
  }

  @Test
  void readOnlyBaseAttributesAre403AfterThePolicyChecks() {
    for (String key : new String[] {"status", "created_at", "updated_at", "checksum", "size", "virtual_size"}) {
      Object value = key.endsWith("size") ? (Object) 5 : key.equals("status") ? "queued" : "x";
      assertGlanceError(alice.post("/v2/images", obj(key, value)), 403);
    }
    // read-only comes before the negative-value check and after the policy check
    assertGlanceError(alice.post("/v2/images", obj("min_ram", -1).put("status", "queued")), 403);
    assertGlanceError(alice.post("/v2/images", obj("status", "queued").put("visibility", "public")), 403);
  }

  @Test
  void negativeMinimumsAre400() {
    assertGlanceError(alice.post("/v2/images", obj("min_ram", -1)), 400);
    assertGlanceError(alice.post("/v2/images", obj("min_disk", -1)), 400);
    assertGlanceError(alice.post("/v2/images", obj("min_disk", 3_000_000_000L)), 400);
  }

  @Test
  void fourByteCharactersAre400() {
    assertGlanceError(alice.post("/v2/images", obj("name", "\uD83D\uDE00")), 400);
    assertGlanceError(alice.post("/v2/images", obj("p", "\uD83D\uDE00")), 400);
    assertGlanceError(alice.post("/v2/images", obj("p\uD83D\uDE00", "x")), 400);
    assertGlanceError(alice.post("/v2/images", obj("tags", new JsonArray().add("\uD83D\uDE00"))), 400);
  }

  @Test
  void quotas() {
    Http q = quotas.http().as("p-q", "member", "reader");
    q.post("/v2/images", obj("a", "1").put("b", "2").put("c", "3")).expect(201);
    assertGlanceError(q.post("/v2/images", obj("a", "1").put("b", "2").put("c", "3").put("d", "4")), 413);
    q.post("/v2/images", obj("tags", new JsonArray().add("x").add("y").add("x"))).expect(201);
    assertGlanceError(q.post("/v2/images", obj("tags", new JsonArray().add("x").add("y").add("z"))), 413);
    // the tag quota is checked before read-only attributes (Glance's quota proxy runs first)
    assertGlanceError(q.post("/v2/images", obj("tags", new JsonArray().add("x").add("y").add("z"))
        .put("status", "queued")), 413);
  }

  @Test
  void duplicateIdIs409EvenAfterDelete() {
    String id = "11111111-2222-4333-8444-555555555555";
    alice.post("/v2/images", obj("id", id)).expect(201);
    assertGlanceError(alice.post("/v2/images", obj("id", id)), 409);
    alice.delete("/v2/images/" + id).expect(204);
    assertGlanceError(alice.post("/v2/images", obj("id", id)), 409);
  }

  private static JsonObject obj(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  private void assertValid(JsonObject image) {
    JsonObject schema = alice.get("/v2/schemas/image").expect(200).json();
    assertThat(SchemaValidator.violations(schema, image)).isEmpty();
  }
}
