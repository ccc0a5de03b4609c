package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /v2/info/*} and {@code GET /v2/images/{id}/tasks} (spec/images-api.md §4.13, §4.16). */
class DiscoveryIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("images.enabled_import_methods", "glance-direct,web-download,copy-image");

  private final Http admin = server.http().as("p-admin", "admin");
  private final Http user = server.http().as("p-user", "member", "reader");
  private final Http other = server.http().as("p-other", "member", "reader");

  @Test
  void importMethodsAreTheConfiguredOnes() {
    JsonObject body = user.get("/v2/info/import").expect(200).json();
    assertThat(body).isEqualTo(new JsonObject().put("import-methods", new JsonObject()
        .put("description", "Import methods available.")
        .put("type", "array")
        .put("value", new JsonArray().add("glance-direct").add("web-download").add("copy-image"))));
  }

  @Test
  void storesAre404WithASingleStore() {
    assertGlanceError(user.get("/v2/info/stores"), 404);
    assertGlanceError(admin.get("/v2/info/stores/detail"), 404);
    assertGlanceError(user.get("/v2/info/stores/detail"), 404);
    // no multi-store API either: deleting from a store is a 404, and images have no "stores"
    String id = Fixtures.activeImage(admin, new byte[] {1, 2, 3});
    assertGlanceError(admin.delete("/v2/stores/file/" + id), 404);
    assertThat(admin.get("/v2/images/" + id).expect(200).json().containsKey("stores")).isFalse();
    assertThat(admin.post("/v2/images", new JsonObject().put("name", "x")).expect(201)
        .header("OpenStack-image-store-ids")).isNull();
  }

  @Test
  void usageIsEmptyWithoutUnifiedLimits() {
    assertThat(user.get("/v2/info/usage").expect(200).json())
        .isEqualTo(new JsonObject().put("usage", new JsonObject()));
    // Glance routes only GET there: other methods are a 404, not a 405 (ERRATA 11)
    for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
      Http.Resp r = user.send(method, "/v2/info/usage", BodyPublishers.noBody());
      assertGlanceError(r, 404);
      assertThat(r.header("Allow")).isNull();
    }
    // and a body on GET is ignored
    user.send("GET", "/v2/info/usage", BodyPublishers.ofString("{}")).expect(200);
  }

  @Test
  void discoveryRoutesRejectBodiesAndOtherMethods() {
    for (String path : new String[] {"/v2/info/import", "/v2/info/stores", "/v2/info/stores/detail"}) {
      assertGlanceError(user.send("GET", path, BodyPublishers.ofString("{}")), 400);
      Http.Resp r = user.send("POST", path, BodyPublishers.noBody());
      assertGlanceError(r, 405);
      assertThat(r.header("Allow")).isEqualTo("GET");
    }
  }

  @Test
  void imageTasksNeedAVisibleImage() {
    String id = Fixtures.createImage(user).getString("id");
    assertThat(user.get("/v2/images/" + id + "/tasks").expect(200).json())
        .isEqualTo(new JsonObject().put("tasks", new JsonArray()));
    assertThat(admin.get("/v2/images/" + id + "/tasks").expect(200).json().getJsonArray("tasks")).isEmpty();
    assertGlanceError(other.get("/v2/images/" + id + "/tasks"), 404);
    assertGlanceError(user.get("/v2/images/00000000-0000-0000-0000-000000000000/tasks"), 404);
    assertGlanceError(user.get("/v2/images/not-a-uuid/tasks"), 404);
    assertGlanceError(user.send("GET", "/v2/images/" + id + "/tasks", BodyPublishers.ofString("{}")), 400);
    // no other method is routed there: 404 without Allow
    Http.Resp post = user.send("POST", "/v2/images/" + id + "/tasks", BodyPublishers.noBody());
    assertGlanceError(post, 404);
    assertThat(post.header("Allow")).isNull();
    // a reader-only caller of the owning project may read
    server.http().as("p-user", "reader").get("/v2/images/" + id + "/tasks").expect(200);
    // without the reader role the image is invisible
    assertGlanceError(server.http().as("p-user", "member").get("/v2/images/" + id + "/tasks"), 404);
  }
}
