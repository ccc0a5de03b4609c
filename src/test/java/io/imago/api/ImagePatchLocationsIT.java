package io.imago.api;

import static io.imago.api.ImagePatchIT.op;
import static io.imago.api.ImagePatchIT.ops;
import static io.imago.api.ImagePatchIT.remove;
import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PATCH location operations with {@code show_multiple_locations=true} (spec §4.4.4). The file store
 * serves no URL a user may hand us (security.md §6: never {@code file://}), so adding or swapping
 * locations is 400 "Invalid location"; re-sending the current list is accepted as it is.
 */
class ImagePatchLocationsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("images.show_multiple_locations", "true");

  private final Http admin = server.http();
  private final Http alice = admin.as("p-alice", "member", "reader");

  @Test
  void newUrlsAreInvalidLocations() {
    byte[] data = Fixtures.bytes(100, 5);
    String id = Fixtures.activeImage(alice, data);
    JsonArray current = alice.get("/v2/images/" + id).expect(200).json().getJsonArray("locations");
    assertThat(current).hasSize(1);
    String ownUrl = current.getJsonObject(0).getString("url");
    assertThat(ownUrl).startsWith("file://");

    for (String url : new String[] {"file:///etc/passwd", ownUrl, "http://example.com/image", "swift+config://x"}) {
      JsonObject loc = new JsonObject().put("url", url).put("metadata", new JsonObject());
      assertGlanceError(alice.patch("/v2/images/" + id, ops(op("add", "/locations/-", loc))), 400);
      assertGlanceError(alice.patch("/v2/images/" + id, ops(op("add", "/locations/0", loc))), 400);
    }
    JsonObject other = new JsonObject().put("url", "http://example.com/x").put("metadata", new JsonObject());
    assertGlanceError(alice.patch("/v2/images/" + id, ops(op("replace", "/locations", new JsonArray().add(other)))),
        400);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(op("replace", "/locations", new JsonArray()))), 403);
    assertGlanceError(alice.patch("/v2/images/" + id, ops(op("add", "/locations/x", other))), 400);

    // re-sending what the client read changes nothing
    JsonObject image = alice.patch("/v2/images/" + id, ops(op("replace", "/locations", current))).expect(200).json();
    assertThat(image.getJsonArray("locations")).isEqualTo(current);
    assertThat(alice.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
  }

  @Test
  void removingTheLastLocationIsForbiddenAndNeedsThePolicy() {
    String id = Fixtures.activeImage(alice, Fixtures.bytes(10, 6));
    // delete_image_location is admin-only under secure RBAC
    assertGlanceError(alice.patch("/v2/images/" + id, ops(remove("/locations/0"))), 403);
    assertGlanceError(admin.patch("/v2/images/" + id, ops(remove("/locations/0"))), 403);
    assertThat(alice.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(Fixtures.bytes(10, 6));
  }

  @Test
  void statusRules() {
    String queued = Fixtures.createImage(alice).getString("id");
    assertGlanceError(admin.patch("/v2/images/" + queued, ops(remove("/locations/0"))), 409);
    JsonObject loc = new JsonObject().put("url", "http://example.com/x").put("metadata", new JsonObject());
    assertGlanceError(alice.patch("/v2/images/" + queued, ops(op("add", "/locations/-", loc))), 400);
    JsonObject image = alice.get("/v2/images/" + queued).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("queued");
    assertThat(image.getJsonArray("locations")).isEmpty();
  }
}
