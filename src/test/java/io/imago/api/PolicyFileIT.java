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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A policy file overrides Glance's defaults end to end (spec/security.md §1.1), as on the
 * reference Glance: {@code publicize_image: "role:member"} lets a project member publish,
 * {@code get_images: "!"} makes listing a 403 for everyone while showing one image still works.
 */
class PolicyFileIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("policy.policy_file", policyFile().toString());

  private final Http member = server.http().as("p1", "member", "reader");
  private final Http reader = server.http().as("p1", "reader");
  private final Http admin = server.http().as("p-admin", "admin");

  private static Path policyFile() {
    try {
      Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "policy-it-");
      Path f = dir.resolve("policy.yaml");
      Files.writeString(f, """
          # overrides; every other rule keeps Glance's default
          "context_is_admin": "role:admin or user_id:user-p-operator"
          "publicize_image": "role:member"
          "get_images": "!"
          "delete_image": "rule:context_is_admin or (role:member and project_id:%(project_id)s and not 'True':%(os_hidden)s)"
          """);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void contextIsAdminMayNameAUserAndThatUserIsAnAdmin() {
    String id = Fixtures.createImage(member).getString("id"); // private to p1
    Http operator = server.http().as("p-operator", "reader"); // user id user-p-operator, no admin role
    assertThat(operator.get("/v2/images/" + id).expect(200).json().getString("owner")).isEqualTo("p1");
    assertGlanceError(server.http().as("p-other", "reader").get("/v2/images/" + id), 404);
  }

  @Test
  void aMemberMayPublicizeWhenTheFileSaysSo() {
    JsonObject image = Fixtures.createImage(member, new JsonObject().put("visibility", "public"));
    assertThat(image.getString("visibility")).isEqualTo("public");
    String id = Fixtures.createImage(member).getString("id");
    JsonArray patch = new JsonArray().add(new JsonObject().put("op", "replace").put("path", "/visibility")
        .put("value", "public"));
    assertThat(member.patch("/v2/images/" + id, patch).expect(200).json().getString("visibility")).isEqualTo("public");
    // the reader still may not (modify_image keeps its default)
    String other = Fixtures.createImage(member).getString("id");
    assertGlanceError(reader.patch("/v2/images/" + other, patch), 403);
  }

  @Test
  void listingIsForbiddenToEveryoneButShowingStillWorks() {
    String id = Fixtures.createImage(member).getString("id");
    assertGlanceError(member.get("/v2/images"), 403);
    assertGlanceError(admin.get("/v2/images"), 403);
    assertThat(member.get("/v2/images/" + id).expect(200).json().getString("id")).isEqualTo(id);
  }

  @Test
  void aRuleMayLookAtImageAttributes() {
    String hidden = Fixtures.createImage(member, new JsonObject().put("os_hidden", true)).getString("id");
    String shown = Fixtures.createImage(member).getString("id");
    assertGlanceError(member.delete("/v2/images/" + hidden), 403);
    member.delete("/v2/images/" + shown).expect(204);
    admin.delete("/v2/images/" + hidden).expect(204);
  }
}
