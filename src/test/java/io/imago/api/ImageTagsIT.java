package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code PUT|DELETE /v2/images/{id}/tags/{tag}} (spec/images-api.md §4.11, ERRATA 15). */
class ImageTagsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("images.image_tag_quota", "10");

  private final Http admin = server.http();
  private final Http alice = admin.as("p-alice", "member", "reader");
  private final Http bob = admin.as("p-bob", "member", "reader");

  @Test
  void putIsIdempotentAndDeleteOfAMissingTagIs404() {
    String id = create(alice, new JsonObject());
    Http.Resp put = alice.put("/v2/images/" + id + "/tags/blue", null).expect(204);
    assertThat(put.bytes()).isEmpty();
    alice.put("/v2/images/" + id + "/tags/blue", null).expect(204);
    alice.put("/v2/images/" + id + "/tags/Blue", null).expect(204);
    assertThat(tags(id)).containsExactlyInAnyOrder("blue", "Blue");
    alice.delete("/v2/images/" + id + "/tags/blue").expect(204);
    assertThat(tags(id)).containsExactly("Blue");
    assertGlanceError(alice.delete("/v2/images/" + id + "/tags/blue"), 404);
    assertGlanceError(alice.delete("/v2/images/" + id + "/tags/never"), 404);
  }

  @Test
  void tagsArePercentDecodedAsUtf8() {
    String id = create(alice, new JsonObject());
    alice.put("/v2/images/" + id + "/tags/%C3%A9t%C3%A9", null).expect(204);
    alice.put("/v2/images/" + id + "/tags/a%20b+c", null).expect(204);
    alice.put("/v2/images/" + id + "/tags/x%2Fy", null).expect(204);
    assertThat(tags(id)).containsExactlyInAnyOrder("été", "a b+c", "x/y");
    alice.delete("/v2/images/" + id + "/tags/%C3%A9t%C3%A9").expect(204);
    alice.delete("/v2/images/" + id + "/tags/x%2Fy").expect(204);
    assertThat(tags(id)).containsExactly("a b+c");
    assertGlanceError(alice.put("/v2/images/" + id + "/tags/%FF", null), 400);
    assertGlanceError(alice.put("/v2/images/" + id + "/tags/%C3", null), 400);
    // 4-byte UTF-8 (ERRATA 13)
    assertGlanceError(alice.put("/v2/images/" + id + "/tags/%F0%9F%98%80", null), 400);
  }

  @Test
  void lengthIsCheckedBeforeTheImageIsLookedUp() {
    String id = create(alice, new JsonObject());
    alice.put("/v2/images/" + id + "/tags/" + "t".repeat(255), null).expect(204);
    assertGlanceError(alice.put("/v2/images/" + id + "/tags/" + "t".repeat(256), null), 400);
    assertGlanceError(alice.put("/v2/images/00000000-0000-0000-0000-000000000000/tags/" + "t".repeat(256), null),
        400);
    assertGlanceError(alice.put("/v2/images/00000000-0000-0000-0000-000000000000/tags/x", null), 404);
    assertGlanceError(alice.delete("/v2/images/00000000-0000-0000-0000-000000000000/tags/x"), 404);
  }

  @Test
  void quota() {
    String id = create(alice, new JsonObject());
    for (int i = 0; i < 10; i++) {
      alice.put("/v2/images/" + id + "/tags/t" + i, null).expect(204);
    }
    assertGlanceError(alice.put("/v2/images/" + id + "/tags/one-more", null), 413);
    alice.put("/v2/images/" + id + "/tags/t0", null).expect(204);
    assertThat(tags(id)).hasSize(10).doesNotContain("one-more");
  }

  @Test
  void permissions() {
    String priv = create(alice, new JsonObject().put("visibility", "private"));
    String pub = create(admin, new JsonObject().put("visibility", "public").put("owner", "p-alice").put("tags",
        new JsonArray().add("t")));
    assertGlanceError(bob.put("/v2/images/" + priv + "/tags/x", null), 404);
    assertGlanceError(bob.delete("/v2/images/" + priv + "/tags/x"), 404);
    assertGlanceError(bob.put("/v2/images/" + pub + "/tags/x", null), 403);
    assertGlanceError(bob.delete("/v2/images/" + pub + "/tags/t"), 403);
    assertGlanceError(admin.as("p-alice", "reader").put("/v2/images/" + priv + "/tags/x", null), 403);
    admin.put("/v2/images/" + priv + "/tags/by-admin", null).expect(204);
    assertThat(tags(priv)).containsExactly("by-admin");
  }

  @Test
  void bodiesAreRejectedAndOtherMethodsAre405() {
    String id = create(alice, new JsonObject());
    assertGlanceError(alice.put("/v2/images/" + id + "/tags/x", new JsonObject().put("a", 1)), 400);
    assertGlanceError(alice.send("DELETE", "/v2/images/" + id + "/tags/x",
        HttpRequest.BodyPublishers.ofString("{}")), 400);
    assertThat(tags(id)).isEmpty();
    Http.Resp r = alice.get("/v2/images/" + id + "/tags/x");
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("PUT, DELETE");
  }

  @Test
  void concurrentTagWritesAllSurvive() throws Exception {
    String id = create(admin, new JsonObject());
    Http other = server.http();
    FutureTask<Void> left = new FutureTask<>(() -> {
      for (int i = 0; i < 5; i++) {
        other.put("/v2/images/" + id + "/tags/left" + i, null).expect(204);
      }
      return null;
    });
    new Thread(left).start();
    for (int i = 0; i < 5; i++) {
      admin.put("/v2/images/" + id + "/tags/right" + i, null).expect(204);
    }
    left.get();
    assertThat(tags(id)).containsExactlyInAnyOrder("left0", "left1", "left2", "left3", "left4", "right0", "right1",
        "right2", "right3", "right4");
  }

  @Test
  void malformedEscapesInThePathAre400NotA500() throws Exception {
    String id = create(alice, new JsonObject());
    // The JDK client refuses to send such a URI, so write the request line by hand.
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("PUT /v2/images/" + id + "/tags/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      assertThat(statusLine).startsWith("HTTP/1.1 400 ");
    }
    assertThat(tags(id)).isEmpty();
  }

  private static String create(Http http, JsonObject attributes) {
    return http.post("/v2/images", attributes).expect(201).json().getString("id");
  }

  private List<Object> tags(String id) {
    return admin.get("/v2/images/" + id).expect(200).json().getJsonArray("tags").getList();
  }
}
