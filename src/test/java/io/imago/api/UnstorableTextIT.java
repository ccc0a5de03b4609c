package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Text PostgreSQL cannot store — a NUL character — anywhere in a request is the client's error:
 * 400 with Glance's error body, never a 500, and nothing is created or changed by it.
 */
class UnstorableTextIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http alice = server.http().as("p-alice", "member", "reader");

  @Test
  void aNulInAListFilterIs400() {
    for (String query : new String[] {"name=%00", "name=a%00b", "tag=%00", "owner=%00", "os_distro=%00",
        "marker=%00", "status=%00", "sort_key=%00", "disk_format=%00"}) {
      Http.Resp r = alice.get("/v2/images?" + query);
      assertThat(r.status()).as(query).isBetween(400, 499);
      assertGlanceError(r, r.status());
    }
  }

  @Test
  void aNulInACreateIs400AndCreatesNothing() {
    int before = count();
    JsonObject[] bodies = {
        new JsonObject().put("name", "a\u0000b"),
        new JsonObject().put("tags", new JsonArray().add("t\u0000")),
        new JsonObject().put("os_distro", "x\u0000y"),
        new JsonObject().put("prop\u0000key", "v"),
        new JsonObject().put("container_format", "bare").put("disk_format", "raw").put("kernel_id", "\u0000"),
    };
    for (JsonObject body : bodies) {
      Http.Resp r = alice.post("/v2/images", body);
      assertThat(r.status()).as(body.encode()).isBetween(400, 499);
      assertGlanceError(r, r.status());
    }
    Http admin = server.http();
    Http.Resp owner = admin.post("/v2/images", new JsonObject().put("owner", "o\u0000"));
    assertThat(owner.status()).isBetween(400, 499);
    assertGlanceError(owner, owner.status());
    assertThat(count()).isEqualTo(before);
  }

  @Test
  void aNulInAPatchOrATagIs400AndChangesNothing() {
    String id = alice.post("/v2/images", new JsonObject().put("name", "clean")).expect(201).json().getString("id");
    JsonArray[] patches = {
        ops("replace", "/name", "a\u0000"),
        ops("add", "/os_distro", "\u0000"),
        ops("add", "/k\u0000", "v"),
        ops("replace", "/tags", new JsonArray().add("a\u0000b")),
    };
    for (JsonArray patch : patches) {
      Http.Resp r = alice.patch("/v2/images/" + id, patch);
      assertThat(r.status()).as(patch.encode()).isEqualTo(400);
      assertGlanceError(r, 400);
    }
    Http.Resp tag = alice.put("/v2/images/" + id + "/tags/a%00b", null);
    assertThat(tag.status()).isBetween(400, 499);
    assertGlanceError(tag, tag.status());

    JsonObject image = alice.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("name")).isEqualTo("clean");
    assertThat(image.containsKey("os_distro")).isFalse();
    assertThat(image.getJsonArray("tags")).isEmpty();
    // and the image is still writable
    alice.patch("/v2/images/" + id, ops("replace", "/name", "still-clean")).expect(200);
  }

  private int count() {
    return alice.get("/v2/images?limit=1000").expect(200).json().getJsonArray("images").size();
  }

  private static JsonArray ops(String op, String path, Object value) {
    return new JsonArray().add(new JsonObject().put("op", op).put("path", path).put("value", value));
  }
}
