package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.SchemaValidator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code PATCH /v2/images/{id}} over HTTP (spec/images-api.md §4.4, ERRATA 3, 4, 5, 13). */
class ImagePatchIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  @RegisterExtension
  static final ImagoServer quotas = new ImagoServer()
      .with("images.image_property_quota", "3")
      .with("images.image_tag_quota", "2");

  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  private final Http admin = server.http();
  private final Http alice = admin.as("p-alice", "member", "reader");
  private final Http bob = admin.as("p-bob", "member", "reader");

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------
  // media types and body shapes

  @Test
  void bothDialectsAndApplicationJsonAreAccepted() {
    String id = create(alice, new JsonObject());
    patch(alice, id, ops(op("add", "/name", "v21"))).expect(200);
    alice.patch("/v2/images/" + id, ops(new JsonObject().put("replace", "/name").put("value", "v20")),
        "Content-Type", ImagesHandler.V20_PATCH).expect(200);
    assertThat(show(alice, id).getString("name")).isEqualTo("v20");
    alice.patch("/v2/images/" + id, ops(op("replace", "/name", "json")), "Content-Type", "application/json")
        .expect(200);
    alice.patch("/v2/images/" + id, ops(op("replace", "/name", "json-utf8")),
        "Content-Type", "application/json; charset=utf-8").expect(200);
    alice.patch("/v2/images/" + id, ops(op("replace", "/name", "v21-utf8")),
        "Content-Type", ImagesHandler.V21_PATCH + "; charset=UTF-8").expect(200);
    assertThat(show(alice, id).getString("name")).isEqualTo("v21-utf8");
  }

  @Test
  void otherMediaTypesAre415WithAcceptPatch() {
    String id = create(alice, new JsonObject());
    for (String type : new String[] {"text/plain", "application/json-patch+json", "application/x-www-form-urlencoded",
        null}) {
      Http.Resp r = alice.patch("/v2/images/" + id, ops(op("replace", "/name", "x")), "Content-Type", type);
      assertGlanceError(r, 415);
      assertThat(r.header("Accept-Patch"))
          .isEqualTo("application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch");
    }
    // the media type is checked first: before the body, and before the image is looked up
    assertGlanceError(alice.patch("/v2/images/" + id, "nojson", "Content-Type", "text/plain"), 415);
    assertGlanceError(alice.patch("/v2/images/00000000-0000-0000-0000-000000000000", ops(), "Content-Type",
        "text/plain"), 415);
    assertThat(show(alice, id).getString("name")).isNull();
  }

  @Test
  void bodyShapes() {
    String id = create(alice, new JsonObject());
    assertGlanceError(alice.patch("/v2/images/" + id, null), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, "nojson"), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, "5"), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, new JsonObject()), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, "[1]"), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(new JsonObject().put("path", "/name").put("value", "x"))),
        400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(op("test", "/name", "x"))), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(op("move", "/name", "x"))), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(new JsonObject().put("op", "add").put("value", "x"))), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(new JsonObject().put("op", "add").put("path", "/name"))),
        400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(op("add", 5, "x"))), 400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(new JsonObject().put("replace", "/name").put("remove",
        "/x").put("value", "y")), "Content-Type", ImagesHandler.V20_PATCH), 400);

    JsonObject before = show(alice, id);
    JsonObject after = patch(alice, id, ops()).expect(200).json();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void pointerRules() {
    String id = create(alice, new JsonObject());
    for (String path : new String[] {"name", "//name", "/", "/ ", "/name/", "/a//b", "/a~2", "/a~", "/tags/-",
        "/a/b", "/locations", "/locations/0/x"}) {
      assertGlanceError(patch(alice, id, ops(op("add", path, "x"))), 400);
    }
    JsonObject image = patch(alice, id, ops(op("add", "/a~1b~0c", "escaped"), op("add", "/ spaced ", "trimmed")))
        .expect(200).json();
    assertThat(image.getString("a/b~c")).isEqualTo("escaped");
    assertThat(image.getString("spaced")).isEqualTo("trimmed");
    assertThat(image.containsKey("")).isFalse();
  }

  // ---------------------------------------------------------------------------------------------
  // per-operation semantics (the §4.4 table)

  @Test
  void replaceAndAddBaseAttributes() {
    String id = create(alice, new JsonObject());
    JsonObject image = patch(alice, id, ops(
        op("replace", "/name", "n1"),
        op("add", "/min_ram", 512),
        op("replace", "/min_disk", 10),
        op("replace", "/protected", true),
        op("add", "/os_hidden", true),
        op("replace", "/visibility", "private"),
        op("replace", "/tags", new JsonArray().add("b").add("a").add("b")),
        op("replace", "/disk_format", "qcow2"),
        op("add", "/container_format", "ovf"))).expect(200).json();
    assertThat(image.getString("name")).isEqualTo("n1");
    assertThat(image.getInteger("min_ram")).isEqualTo(512);
    assertThat(image.getInteger("min_disk")).isEqualTo(10);
    assertThat(image.getBoolean("protected")).isTrue();
    assertThat(image.getBoolean("os_hidden")).isTrue();
    assertThat(image.getString("visibility")).isEqualTo("private");
    assertThat(image.getJsonArray("tags")).containsExactlyInAnyOrder("a", "b");
    assertThat(image.getString("disk_format")).isEqualTo("qcow2");
    assertThat(image.getString("container_format")).isEqualTo("ovf");
    assertThat(show(alice, id)).isEqualTo(image);
    assertSchemaValid(image);

    image = patch(alice, id, ops(op("replace", "/name", null), op("replace", "/protected", false),
        op("replace", "/disk_format", null))).expect(200).json();
    assertThat(image.getValue("name")).isNull();
    assertThat(image.getValue("disk_format")).isNull();
    assertThat(image.containsKey("name")).isTrue();
  }

  @Test
  void removingABaseAttributeIs403() {
    String id = create(alice, new JsonObject().put("name", "keep"));
    for (String name : new String[] {"name", "tags", "protected", "visibility", "min_ram", "owner", "disk_format"}) {
      assertGlanceError(patch(alice, id, ops(remove("/" + name))), 403);
    }
    assertThat(show(alice, id).getString("name")).isEqualTo("keep");
  }

  @Test
  void customPropertiesV21() {
    String id = create(alice, new JsonObject().put("foo", "bar"));
    JsonObject image = patch(alice, id, ops(op("add", "/foo", "overwritten"), op("add", "/new", "v"),
        op("replace", "/new", "v2"))).expect(200).json();
    assertThat(image.getString("foo")).isEqualTo("overwritten");
    assertThat(image.getString("new")).isEqualTo("v2");
    image = patch(alice, id, ops(remove("/foo"))).expect(200).json();
    assertThat(image.containsKey("foo")).isFalse();
    assertGlanceError(patch(alice, id, ops(op("replace", "/missing", "x"))), 409);
    assertGlanceError(patch(alice, id, ops(remove("/missing"))), 409);
    assertGlanceError(patch(alice, id, ops(remove("/foo"))), 409);
  }

  @Test
  void addingWhatExistsIsAConflictInV20Only() {
    String id = create(alice, new JsonObject().put("foo", "bar"));
    String v20 = ImagesHandler.V20_PATCH;
    assertGlanceError(alice.patch("/v2/images/" + id, ops(new JsonObject().put("add", "/foo").put("value", "x")),
        "Content-Type", v20), 409);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(new JsonObject().put("add", "/name").put("value", "x")),
        "Content-Type", v20), 409);
    JsonObject image = alice.patch("/v2/images/" + id, ops(new JsonObject().put("add", "/new").put("value", "n"),
        new JsonObject().put("remove", "/foo"), new JsonObject().put("replace", "/name").put("value", "v20")),
        "Content-Type", v20).expect(200).json();
    assertThat(image.getString("new")).isEqualTo("n");
    assertThat(image.containsKey("foo")).isFalse();
    assertThat(image.getString("name")).isEqualTo("v20");
  }

  @Test
  void readOnlyAndReservedAttributesAre403() {
    String id = create(alice, new JsonObject());
    for (String name : new String[] {"status", "id", "created_at", "updated_at", "checksum", "size", "virtual_size",
        "direct_url", "self", "file", "schema", "os_hash_algo", "os_hash_value"}) {
      assertGlanceError(patch(alice, id, ops(op("replace", "/" + name, "x"))), 403);
      assertGlanceError(patch(alice, id, ops(op("add", "/" + name, "x"))), 403);
      assertGlanceError(patch(alice, id, ops(remove("/" + name))), 403);
    }
    for (String name : new String[] {"location", "deleted", "deleted_at", "os_glance_import_task", "os_glancex"}) {
      assertGlanceError(patch(alice, id, ops(op("add", "/" + name, "x"))), 403);
      assertGlanceError(patch(alice, id, ops(remove("/" + name))), 403);
    }
    // ERRATA 3: Glance treats "stores" as a custom name in PATCH
    assertGlanceError(patch(alice, id, ops(op("replace", "/stores", "x"))), 409);
    assertGlanceError(patch(alice, id, ops(op("add", "/stores", "x"))), 403);
    assertThat(show(alice, id).getString("status")).isEqualTo("queued");
  }

  @Test
  void schemaViolationsAre400() {
    String id = create(alice, new JsonObject());
    List<JsonObject> bad = List.of(
        op("replace", "/name", 5), op("replace", "/name", "n".repeat(256)), op("replace", "/visibility", "bogus"),
        op("replace", "/protected", "true"), op("replace", "/os_hidden", 1), op("replace", "/min_ram", "1"),
        op("replace", "/min_ram", 1.5), op("replace", "/min_ram", -1), op("replace", "/min_disk", -5),
        op("replace", "/min_ram", 99_999_999_999L), op("replace", "/disk_format", "bogus"),
        op("replace", "/container_format", 7), op("replace", "/tags", "a"), op("replace", "/tags", new JsonArray()
            .add(1)), op("replace", "/tags", new JsonArray().add("t".repeat(256))), op("add", "/foo", null),
        op("add", "/foo", 5), op("add", "/foo", new JsonObject()), op("add", "/kernel_id", "not-a-uuid"),
        op("add", "/cinder_encryption_key_deletion_policy", "never"), op("add", "/" + "k".repeat(256), "x"),
        op("replace", "/locations", "x"), op("add", "/locations/-", new JsonArray().add(1)));
    for (JsonObject o : bad) {
      assertGlanceError(patch(alice, id, ops(o)), 400);
    }
    JsonObject image = patch(alice, id, ops(op("add", "/kernel_id", null), op("add", "/min_ram", 1.0),
        op("add", "/" + "k".repeat(255), "x"))).expect(200).json();
    assertThat(image.getValue("kernel_id")).isNull();
    assertThat(image.containsKey("kernel_id")).isTrue();
    assertThat(image.getValue("min_ram")).isEqualTo(1);
    assertSchemaValid(image);
  }

  @Test
  void fourByteCharactersAre400() {
    String id = create(alice, new JsonObject());
    String emoji = "\uD83D\uDE00";
    assertGlanceError(patch(alice, id, ops(op("replace", "/name", "a" + emoji))), 400);
    assertGlanceError(patch(alice, id, ops(op("add", "/p", emoji))), 400);
    assertGlanceError(patch(alice, id, ops(op("add", "/p" + emoji, "x"))), 400);
    assertGlanceError(patch(alice, id, ops(op("replace", "/tags", new JsonArray().add(emoji)))), 400);
    JsonObject image = patch(alice, id, ops(op("replace", "/name", "été ∑ 日本"))).expect(200).json();
    assertThat(image.getString("name")).isEqualTo("été ∑ 日本");
  }

  @Test
  void formatsChangeOnlyWhileQueued() {
    String id = Fixtures.activeImage(alice, Fixtures.bytes(10, 1));
    assertGlanceError(patch(alice, id, ops(op("replace", "/disk_format", "raw"))), 403);
    assertGlanceError(patch(alice, id, ops(op("replace", "/container_format", "bare"))), 403);
    assertGlanceError(patch(alice, id, ops(op("add", "/disk_format", "qcow2"))), 403);
    JsonObject image = patch(alice, id, ops(op("replace", "/name", "still editable"), op("add", "/p", "v")))
        .expect(200).json();
    assertThat(image.getString("name")).isEqualTo("still editable");
    assertThat(image.getString("status")).isEqualTo("active");
    assertThat(image.getString("checksum")).isEqualTo(Fixtures.md5(Fixtures.bytes(10, 1)));
    assertSchemaValid(image);
  }

  @Test
  void ownerAndVisibilityPolicies() {
    String id = create(alice, new JsonObject());
    assertGlanceError(patch(alice, id, ops(op("replace", "/owner", "p-alice"))), 403);
    assertGlanceError(patch(alice, id, ops(op("add", "/owner", "p-bob"))), 403);
    patch(alice, id, ops(op("add", "/owner", "p-alice"))).expect(200);
    assertGlanceError(patch(alice, id, ops(op("replace", "/visibility", "public"))), 403);
    assertThat(patch(alice, id, ops(op("replace", "/visibility", "community"))).expect(200).json()
        .getString("visibility")).isEqualTo("community");
    assertThat(patch(admin, id, ops(op("replace", "/visibility", "public"))).expect(200).json()
        .getString("visibility")).isEqualTo("public");
    JsonObject moved = patch(admin, id, ops(op("replace", "/owner", "p-bob"))).expect(200).json();
    assertThat(moved.getString("owner")).isEqualTo("p-bob");
    // alice can still see the public image but no longer owns it
    assertGlanceError(patch(alice, id, ops(op("replace", "/name", "x"))), 403);
    assertThat(patch(bob, id, ops(op("replace", "/name", "bob's"))).expect(200).json().getString("name"))
        .isEqualTo("bob's");
  }

  @Test
  void whoMayPatch() {
    String priv = create(alice, new JsonObject().put("visibility", "private"));
    String pub = create(admin, new JsonObject().put("visibility", "public").put("owner", "p-alice"));
    assertGlanceError(patch(bob, priv, ops(op("replace", "/name", "x"))), 404);
    assertGlanceError(patch(bob, pub, ops(op("replace", "/name", "x"))), 403);
    assertGlanceError(patch(admin.as("p-alice", "reader"), priv, ops(op("replace", "/name", "x"))), 403);
    assertGlanceError(patch(alice, "00000000-0000-0000-0000-000000000000", ops(op("replace", "/name", "x"))), 404);
    // Glance parses the body before it looks the image up
    assertGlanceError(patch(alice, "00000000-0000-0000-0000-000000000000", ops(op("replace", "/status", "x"))), 403);
    assertGlanceError(patch(bob, priv, ops(op("replace", "/name", 5))), 400);
    // an empty patch changes nothing and needs no permission
    patch(bob, pub, ops()).expect(200);
    patch(admin, priv, ops(op("replace", "/name", "by admin"))).expect(200);
  }

  @Test
  void locationOperationsAreForbiddenWhileLocationsAreHidden() {
    String id = Fixtures.activeImage(alice, Fixtures.bytes(10, 2));
    JsonObject loc = new JsonObject().put("url", "file:///etc/passwd").put("metadata", new JsonObject());
    assertGlanceError(patch(admin, id, ops(op("add", "/locations/-", loc))), 403);
    assertGlanceError(patch(admin, id, ops(op("replace", "/locations", new JsonArray().add(loc)))), 403);
    assertGlanceError(patch(admin, id, ops(op("replace", "/locations", new JsonArray()))), 403);
    assertGlanceError(patch(admin, id, ops(remove("/locations/0"))), 403);
    assertGlanceError(patch(alice, id, ops(remove("/locations/0"))), 403);
    assertThat(alice.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(Fixtures.bytes(10, 2));
  }

  @Test
  void allOrNothing() {
    String id = create(alice, new JsonObject().put("foo", "bar").put("name", "orig"));
    JsonObject before = show(alice, id);
    assertGlanceError(patch(alice, id, ops(op("replace", "/name", "changed"), op("add", "/new", "x"),
        remove("/foo"), op("replace", "/missing", "x"))), 409);
    assertGlanceError(patch(alice, id, ops(op("replace", "/name", "changed"), op("replace", "/visibility",
        "public"))), 403);
    assertGlanceError(patch(alice, id, ops(op("replace", "/name", "changed"), op("add", "/emoji",
        "\uD83D\uDE00"))), 400);
    assertThat(show(alice, id)).isEqualTo(before);
    // operations apply in order
    JsonObject image = patch(alice, id, ops(op("add", "/x", "1"), op("replace", "/x", "2"), remove("/x"),
        op("add", "/y", "1"), op("replace", "/y", "2"))).expect(200).json();
    assertThat(image.containsKey("x")).isFalse();
    assertThat(image.getString("y")).isEqualTo("2");
  }

  @Test
  void quotasApplyWhenKeysAreAdded() {
    Http q = quotas.http().as("p-q", "member", "reader");
    String id = q.post("/v2/images", new JsonObject().put("a", "1").put("b", "2").put("c", "3")).expect(201).json()
        .getString("id");
    assertGlanceError(q.patch("/v2/images/" + id, ops(op("add", "/d", "4"))), 413);
    q.patch("/v2/images/" + id, ops(op("replace", "/a", "x"), op("add", "/b", "y"))).expect(200);
    JsonObject image = q.patch("/v2/images/" + id, ops(remove("/a"), op("add", "/d", "4"))).expect(200).json();
    assertThat(image.containsKey("a")).isFalse();
    assertThat(image.getString("d")).isEqualTo("4");
    assertGlanceError(q.patch("/v2/images/" + id, ops(op("replace", "/tags", new JsonArray().add("1").add("2")
        .add("3")))), 413);
    q.patch("/v2/images/" + id, ops(op("replace", "/tags", new JsonArray().add("1").add("2").add("1"))))
        .expect(200);
  }

  @Test
  void concurrentPatchesOfDifferentPropertiesAllSurvive() throws Exception {
    String id = create(alice, new JsonObject());
    int perThread = 15;
    List<Future<Void>> done = new ArrayList<>();
    for (String thread : new String[] {"left", "right"}) {
      Callable<Void> work = () -> {
        for (int i = 0; i < perThread; i++) {
          patch(alice, id, ops(op("add", "/" + thread + "_" + i, "v" + i))).expect(200);
        }
        return null;
      };
      done.add(POOL.submit(work));
    }
    for (Future<Void> f : done) {
      f.get();
    }
    JsonObject image = show(alice, id);
    for (String thread : new String[] {"left", "right"}) {
      for (int i = 0; i < perThread; i++) {
        assertThat(image.getString(thread + "_" + i)).as(thread + "_" + i).isEqualTo("v" + i);
      }
    }
  }

  /**
   * Forty writers on one image at once — twenty PATCHes of their own property and twenty tag PUTs —
   * all get 200 (Glance answers these with 200 too), and every write is there afterwards.
   */
  @Test
  void fortyConcurrentWritersOfOneImageAllSucceed() throws Exception {
    String id = create(alice, new JsonObject());
    int writers = 20;
    ExecutorService many = Executors.newFixedThreadPool(2 * writers);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int n = i;
        statuses.add(many.submit(() -> {
          go.await();
          return patch(alice, id, ops(op("add", "/writer_" + n, "v" + n))).status();
        }));
        statuses.add(many.submit(() -> {
          go.await();
          return alice.put("/v2/images/" + id + "/tags/tag-" + n, null).status();
        }));
      }
      go.countDown();
      for (Future<Integer> f : statuses) {
        assertThat(f.get()).isIn(200, 204);
      }
    } finally {
      many.shutdownNow();
    }
    JsonObject image = show(alice, id);
    for (int i = 0; i < writers; i++) {
      assertThat(image.getString("writer_" + i)).as("writer_" + i).isEqualTo("v" + i);
      assertThat(image.getJsonArray("tags").getList()).as("tags").contains("tag-" + i);
    }
  }

  @Test
  void theImagePathAllowsGetPatchDelete() {
    String id = create(alice, new JsonObject());
    Http.Resp r = alice.send("PUT", "/v2/images/" + id, HttpRequest.BodyPublishers.noBody());
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET, PATCH, DELETE");
  }

  // ---------------------------------------------------------------------------------------------

  private static String create(Http http, JsonObject attributes) {
    return http.post("/v2/images", attributes).expect(201).json().getString("id");
  }

  private static JsonObject show(Http http, String id) {
    return http.get("/v2/images/" + id).expect(200).json();
  }

  private static Http.Resp patch(Http http, String id, JsonArray ops) {
    Http.Resp r = http.patch("/v2/images/" + id, ops);
    if (r.status() == 200) {
      assertSchemaValid(r.json());
    }
    return r;
  }

  private static void assertSchemaValid(JsonObject image) {
    JsonObject schema = server.http().get("/v2/schemas/image").expect(200).json();
    assertThat(SchemaValidator.violations(schema, image)).as(image.encode()).isEmpty();
  }

  static JsonArray ops(JsonObject... ops) {
    JsonArray a = new JsonArray();
    for (JsonObject o : ops) {
      a.add(o);
    }
    return a;
  }

  static JsonObject op(String op, Object path, Object value) {
    return new JsonObject().put("op", op).put("path", path).put("value", value);
  }

  static JsonObject remove(String path) {
    return new JsonObject().put("op", "remove").put("path", path);
  }
}
