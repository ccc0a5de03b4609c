package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Property protections through the API (spec/security.md §2.2), the same for both file formats:
 * {@code x_billing_*} is created, updated and deleted by admins and read by admins and members;
 * {@code x_secret_*} is admins' only; everything else is open. Every row of the §2.2 table, plus
 * the fix of Glance's quirk: a PATCH by someone who cannot read a property keeps it.
 *
 * <p>Observed on the reference Glance (Zed) with the same roles file: the same codes and messages
 * for create, read and PATCH, and the quirk (the member's PATCH deleted {@code x_secret_k}).
 */
abstract class PropertyProtectionsContract {
  abstract ImagoServer server();

  private Http admin() {
    return server().http().as("p1", "admin", "member", "reader");
  }

  private Http member() {
    return server().http().as("p1", "member", "reader");
  }

  private Http reader() {
    return server().http().as("p1", "reader");
  }

  static Path file(String name, String text) {
    try {
      Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "protections-it-");
      Path f = dir.resolve(name);
      Files.writeString(f, text);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String protectedImage(String billing) {
    return Fixtures.createImage(admin(), new JsonObject().put("x_billing_code", billing).put("x_secret_k", "s1")
        .put("plain", "p")).getString("id");
  }

  private static JsonArray op(String op, String path, String value) {
    JsonObject o = new JsonObject().put("op", op).put("path", path);
    if (value != null) {
      o.put("value", value);
    }
    return new JsonArray().add(o);
  }

  private static void assertMessage(Http.Resp r, int status, String message) {
    assertGlanceError(r, status);
    assertThat(r.json().getString("message")).contains(message);
  }

  @Test
  void creatingWithAPropertyTheCallerMayNotCreateIs403() {
    assertMessage(member().post("/v2/images", new JsonObject().put("name", "x").put("x_billing_code", "b")), 403,
        "Attribute 'x_billing_code' is reserved.");
    JsonObject created = Fixtures.createImage(admin(), new JsonObject().put("x_billing_code", "b"));
    assertThat(created.getString("x_billing_code")).isEqualTo("b");
    // unprotected custom properties are anyone's
    assertThat(Fixtures.createImage(member(), new JsonObject().put("plain", "p")).getString("plain")).isEqualTo("p");
  }

  @Test
  void unreadablePropertiesAreLeftOutOfShowListAndPatchResponses() {
    String id = protectedImage("b-read");
    JsonObject asAdmin = admin().get("/v2/images/" + id).expect(200).json();
    assertThat(asAdmin.getString("x_billing_code")).isEqualTo("b-read");
    assertThat(asAdmin.getString("x_secret_k")).isEqualTo("s1");

    JsonObject asMember = member().get("/v2/images/" + id).expect(200).json();
    assertThat(asMember.getString("x_billing_code")).isEqualTo("b-read");
    assertThat(asMember.containsKey("x_secret_k")).isFalse();
    assertThat(asMember.getString("plain")).isEqualTo("p");

    JsonObject asReader = reader().get("/v2/images/" + id).expect(200).json();
    assertThat(asReader.containsKey("x_billing_code")).isFalse();
    assertThat(asReader.containsKey("x_secret_k")).isFalse();

    JsonObject listed = reader().get("/v2/images?limit=1000").expect(200).json().getJsonArray("images").stream()
        .map(JsonObject.class::cast).filter(i -> i.getString("id").equals(id)).findFirst().orElseThrow();
    assertThat(listed.containsKey("x_billing_code")).isFalse();
    assertThat(listed.getString("plain")).isEqualTo("p");

    JsonObject patched = member().patch("/v2/images/" + id, op("add", "/plain", "q")).expect(200).json();
    assertThat(patched.containsKey("x_secret_k")).isFalse();
    assertThat(patched.getString("x_billing_code")).isEqualTo("b-read");
  }

  @Test
  void filteringOnAnUnreadablePropertyMatchesNothing() {
    String code = "b-" + UUID.randomUUID();
    String id = protectedImage(code);
    assertThat(ids(admin(), "x_billing_code=" + code)).containsExactly(id);
    assertThat(ids(member(), "x_billing_code=" + code)).containsExactly(id);
    // the reference Glance (Zed) finds the image here, leaking the hidden value; the spec says nothing
    assertThat(ids(reader(), "x_billing_code=" + code)).isEmpty();
    assertThat(ids(member(), "x_billing_code=" + code + "&x_secret_k=s1")).isEmpty();
    assertThat(ids(admin(), "x_billing_code=" + code + "&x_secret_k=s1")).containsExactly(id);
  }

  private static JsonArray ids(Http http, String query) {
    JsonArray out = new JsonArray();
    http.get("/v2/images?" + query).expect(200).json().getJsonArray("images")
        .forEach(i -> out.add(((JsonObject) i).getString("id")));
    return out;
  }

  @Test
  void patchOutcomesFollowTheTable() {
    String id = protectedImage("b-patch");
    String path = "/v2/images/" + id;
    // add/replace a readable but not updatable key → 403
    assertMessage(member().patch(path, op("replace", "/x_billing_code", "z")), 403,
        "Attribute 'x_billing_code' is reserved.");
    assertMessage(member().patch(path, op("add", "/x_billing_code", "z")), 403,
        "Attribute 'x_billing_code' is reserved.");
    // add a key the caller may not create, new or existing-but-unreadable → 403 (a create)
    assertMessage(member().patch(path, op("add", "/x_billing_new", "z")), 403,
        "Attribute 'x_billing_new' is reserved.");
    assertMessage(member().patch(path, op("add", "/x_secret_k", "z")), 403, "Attribute 'x_secret_k' is reserved.");
    // replace or remove a non-readable existing key → 409 as if it did not exist
    assertMessage(member().patch(path, op("replace", "/x_secret_k", "z")), 409, "Property x_secret_k does not exist.");
    assertMessage(member().patch(path, op("remove", "/x_secret_k", null)), 409, "Property x_secret_k does not exist.");
    // remove a readable, not deletable key → 403
    assertMessage(member().patch(path, op("remove", "/x_billing_code", null)), 403,
        "Attribute 'x_billing_code' is reserved.");
    // nothing was written by the refused patches
    JsonObject image = admin().get(path).expect(200).json();
    assertThat(image.getString("x_billing_code")).isEqualTo("b-patch");
    assertThat(image.getString("x_secret_k")).isEqualTo("s1");
    // with the permission each of them works
    admin().patch(path, op("replace", "/x_billing_code", "z")).expect(200);
    admin().patch(path, op("replace", "/x_secret_k", "z")).expect(200);
    admin().patch(path, op("remove", "/x_billing_code", null)).expect(200);
    assertThat(admin().get(path).expect(200).json().containsKey("x_billing_code")).isFalse();
  }

  @Test
  void aPatchByACallerWhoCannotReadAPropertyKeepsIt() {
    String id = protectedImage("b-keep");
    String path = "/v2/images/" + id;
    member().patch(path, op("add", "/plain2", "m")).expect(200);
    member().patch(path, op("replace", "/name", "renamed")).expect(200);
    JsonObject image = admin().get(path).expect(200).json();
    assertThat(image.getString("x_secret_k")).isEqualTo("s1");
    assertThat(image.getString("x_billing_code")).isEqualTo("b-keep");
    assertThat(image.getString("plain2")).isEqualTo("m");
    assertThat(image.getString("name")).isEqualTo("renamed");
  }
}
