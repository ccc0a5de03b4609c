package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.domain.Image;
import io.imago.domain.Member;
import io.imago.domain.Visibility;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Image sharing over HTTP with the default (secure RBAC) policy (spec/images-api.md §4.12).
 * Expected codes were checked against the reference Glance (Zed) with {@code enforce_new_defaults}.
 */
class MembersIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http admin = server.http().as("p-admin", "admin");
  private final Http owner = server.http().as("p-owner", "member", "reader");
  private final Http ownerReader = server.http().as("p-owner", "reader");
  private final Http member = server.http().as("p-member", "member", "reader");
  private final Http memberReader = server.http().as("p-member", "reader");
  private final Http other = server.http().as("p-other", "member", "reader");
  private final Http stranger = server.http().as("p-stranger", "member", "reader");

  private String sharedImage() {
    return Fixtures.createImage(owner, new JsonObject().put("visibility", "shared")).getString("id");
  }

  private static String members(String id) {
    return "/v2/images/" + id + "/members";
  }

  private static JsonObject add(Http as, String id, String memberId) {
    return as.post(members(id), new JsonObject().put("member", memberId)).expect(200).json();
  }

  private static List<String> memberIds(Http.Resp r) {
    return r.json().getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("member_id")).toList();
  }

  @Test
  void ownerAddsAPendingMemberWithStatus200AndGlanceShape() {
    String id = sharedImage();
    JsonObject m = add(owner, id, "p-member");
    assertThat(m.fieldNames()).containsExactlyInAnyOrder("member_id", "image_id", "status", "created_at",
        "updated_at", "schema");
    assertThat(m.getString("member_id")).isEqualTo("p-member");
    assertThat(m.getString("image_id")).isEqualTo(id);
    assertThat(m.getString("status")).isEqualTo("pending");
    assertThat(m.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(m.getString("schema")).isEqualTo("/v2/schemas/member");

    Http.Resp list = owner.get(members(id)).expect(200);
    assertThat(list.json().getString("schema")).isEqualTo("/v2/schemas/members");
    assertThat(list.json().getJsonArray("members").getJsonObject(0)).isEqualTo(m);
  }

  @Test
  void aMemberSeesTheImageInAnyStatusButOnlyItsOwnMembership() {
    String id = sharedImage();
    assertGlanceError(member.get("/v2/images/" + id), 404);
    add(owner, id, "p-member");
    add(owner, id, "p-other");

    // pending is enough to read the image
    member.get("/v2/images/" + id).expect(200);
    assertThat(memberIds(member.get(members(id)).expect(200))).containsExactly("p-member");
    assertThat(memberIds(owner.get(members(id)).expect(200))).containsExactlyInAnyOrder("p-member", "p-other");
    assertThat(memberIds(admin.get(members(id)).expect(200))).containsExactlyInAnyOrder("p-member", "p-other");

    member.get(members(id) + "/p-member").expect(200);
    assertGlanceError(member.get(members(id) + "/p-other"), 404);
    owner.get(members(id) + "/p-other").expect(200);
    assertGlanceError(owner.get(members(id) + "/nobody"), 404);

    member.put(members(id) + "/p-member", new JsonObject().put("status", "rejected")).expect(200);
    member.get("/v2/images/" + id).expect(200);
  }

  @Test
  void strangersGet404ForEverything() {
    String id = sharedImage();
    add(owner, id, "p-member");
    assertGlanceError(stranger.get(members(id)), 404);
    assertGlanceError(stranger.get(members(id) + "/p-member"), 404);
    assertGlanceError(stranger.post(members(id), new JsonObject().put("member", "p-stranger")), 404);
    assertGlanceError(stranger.put(members(id) + "/p-member", new JsonObject().put("status", "accepted")), 404);
    assertGlanceError(stranger.delete(members(id) + "/p-member"), 404);
    assertGlanceError(stranger.get(members("00000000-0000-0000-0000-000000000000")), 404);
  }

  @Test
  void onlyTheOwnerOrAnAdminAddsMembers() {
    String id = sharedImage();
    add(owner, id, "p-member");
    assertGlanceError(member.post(members(id), new JsonObject().put("member", "p-other")), 403);
    assertGlanceError(ownerReader.post(members(id), new JsonObject().put("member", "p-other")), 403);
    JsonObject byAdmin = add(admin, id, "p-other");
    assertThat(byAdmin.getString("status")).isEqualTo("pending");
  }

  @Test
  void duplicateIs409() {
    String id = sharedImage();
    add(owner, id, "p-member");
    assertGlanceError(owner.post(members(id), new JsonObject().put("member", "p-member")), 409);
  }

  @Test
  void badCreateBodiesAre400EvenBeforeTheImageIsLookedUp() {
    String id = sharedImage();
    for (String body : List.of("{}", "{\"member\": \"\"}", "{\"member\": null}", "[]", "[\"p-member\"]",
        "{\"member\": 5}", "{\"member\": true}", "{\"member\": [\"x\"]}", "{\"member\": {\"a\": 1}}",
        "{\"member\": \"" + "m".repeat(256) + "\"}", "{\"member\": \"a\\u0000b\"}", "\"p-member\"", "{bad json")) {
      assertGlanceError(owner.post(members(id), body), 400);
      assertGlanceError(owner.post(members("00000000-0000-0000-0000-000000000000"), body), 400);
    }
    assertGlanceError(owner.send("POST", members(id), BodyPublishers.noBody()), 400);
    // 255 characters and extra keys are fine
    String longest = "m".repeat(255);
    JsonObject m = owner.post(members(id), new JsonObject().put("member", longest).put("extra", 1)).expect(200).json();
    assertThat(m.getString("member_id")).isEqualTo(longest);
    assertThat(owner.get(members(id)).expect(200).json().getJsonArray("members")).hasSize(1);
  }

  @Test
  void onlyTheMemberItselfOrAnAdminChangesTheStatus() {
    String id = sharedImage();
    add(owner, id, "p-member");
    add(owner, id, "p-other");
    String path = members(id) + "/p-member";

    assertGlanceError(owner.put(path, new JsonObject().put("status", "accepted")), 403);
    assertGlanceError(memberReader.put(path, new JsonObject().put("status", "accepted")), 403);
    // another member cannot even see this membership
    assertGlanceError(other.put(path, new JsonObject().put("status", "accepted")), 404);

    JsonObject accepted = member.put(path, new JsonObject().put("status", "accepted")).expect(200).json();
    assertThat(accepted.getString("status")).isEqualTo("accepted");
    assertThat(owner.get(path).expect(200).json().getString("status")).isEqualTo("accepted");

    JsonObject byAdmin = admin.put(path, new JsonObject().put("status", "rejected")).expect(200).json();
    assertThat(byAdmin.getString("status")).isEqualTo("rejected");
    member.put(path, new JsonObject().put("status", "pending")).expect(200);
  }

  @Test
  void badStatusBodiesAre400AndUnknownMembers404() {
    String id = sharedImage();
    add(owner, id, "p-member");
    String path = members(id) + "/p-member";
    for (String body : List.of("{}", "[]", "{\"status\": \"bogus\"}", "{\"status\": 5}", "{\"status\": null}",
        "{\"status\": \"ACCEPTED\"}")) {
      assertGlanceError(member.put(path, body), 400);
    }
    assertGlanceError(member.send("PUT", path, BodyPublishers.noBody()), 400);
    // the membership is looked up before the status value is checked
    assertGlanceError(admin.put(members(id) + "/nobody", new JsonObject().put("status", "bogus")), 404);
    assertGlanceError(member.put(members(id) + "/p-other", new JsonObject().put("status", "accepted")), 404);
    assertThat(owner.get(path).expect(200).json().getString("status")).isEqualTo("pending");
  }

  @Test
  void onlyTheOwnerOrAnAdminDeletesAndReAddingResetsToPendingKeepingCreatedAt() {
    String id = sharedImage();
    JsonObject first = add(owner, id, "p-member");
    Instant createdAt = server.app().members().find(id, "p-member").await().orElseThrow().createdAt();
    member.put(members(id) + "/p-member", new JsonObject().put("status", "accepted")).expect(200);

    assertGlanceError(member.delete(members(id) + "/p-member"), 403);
    assertGlanceError(owner.delete(members(id) + "/nobody"), 404);
    owner.delete(members(id) + "/p-member").expect(204);
    assertGlanceError(owner.delete(members(id) + "/p-member"), 404);
    assertGlanceError(owner.get(members(id) + "/p-member"), 404);
    assertThat(owner.get(members(id)).expect(200).json().getJsonArray("members")).isEmpty();
    assertGlanceError(member.get("/v2/images/" + id), 404);

    JsonObject again = add(owner, id, "p-member");
    assertThat(again.getString("status")).isEqualTo("pending");
    assertThat(again.getString("created_at")).isEqualTo(first.getString("created_at"));
    // the same row, to the microsecond (the API shows seconds only)
    Member stored = server.app().members().find(id, "p-member").await().orElseThrow();
    assertThat(stored.createdAt()).isEqualTo(createdAt);
    assertThat(stored.updatedAt()).isAfter(createdAt);

    add(owner, id, "p-other");
    admin.delete(members(id) + "/p-other").expect(204);
    assertThat(memberIds(owner.get(members(id)).expect(200))).containsExactly("p-member");
  }

  @Test
  void membersOfANonSharedImageAreHiddenButKept() {
    String id = sharedImage();
    add(owner, id, "p-member");
    setVisibility(id, "private");

    assertGlanceError(owner.get(members(id)), 403);
    assertGlanceError(admin.get(members(id)), 403);
    assertGlanceError(owner.post(members(id), new JsonObject().put("member", "p-other")), 403);
    assertGlanceError(owner.delete(members(id) + "/p-member"), 403);
    // show hides every refusal as "not found"
    assertGlanceError(owner.get(members(id) + "/p-member"), 404);
    // the member lost access to the image altogether
    assertGlanceError(member.get("/v2/images/" + id), 404);
    assertGlanceError(member.put(members(id) + "/p-member", new JsonObject().put("status", "accepted")), 404);

    setVisibility(id, "shared");
    assertThat(memberIds(owner.get(members(id)).expect(200))).containsExactly("p-member");
    member.get("/v2/images/" + id).expect(200);
  }

  @Test
  void publicAndCommunityImagesHaveNoMembers() {
    String community = Fixtures.createImage(owner, new JsonObject().put("visibility", "community")).getString("id");
    assertGlanceError(owner.post(members(community), new JsonObject().put("member", "p-member")), 403);
    assertGlanceError(stranger.get(members(community)), 403);
    String pub = Fixtures.createImage(admin, new JsonObject().put("visibility", "public")).getString("id");
    assertGlanceError(admin.post(members(pub), new JsonObject().put("member", "p-member")), 403);
  }

  @Test
  void aMemberCanDownloadAndDeactivatedRulesStillApply() {
    byte[] data = Fixtures.bytes(1000, 7);
    String id = Fixtures.createImage(owner, new JsonObject().put("visibility", "shared")).getString("id");
    owner.putBytes("/v2/images/" + id + "/file", data).expect(204);
    add(owner, id, "p-member");
    assertThat(member.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
    // a reader-only member may read the image but not download it (download_image needs member)
    memberReader.get("/v2/images/" + id).expect(200);
    assertGlanceError(memberReader.get("/v2/images/" + id + "/file"), 403);
  }

  @Test
  void deletingTheImageRemovesItsMembers() {
    String id = sharedImage();
    add(owner, id, "p-member");
    owner.delete("/v2/images/" + id).expect(204);
    assertGlanceError(member.get(members(id)), 404);
    assertGlanceError(owner.get(members(id)), 404);
  }

  @Test
  void membersRoutesRejectBodiesAndOtherMethods() {
    String id = sharedImage();
    add(owner, id, "p-member");
    assertGlanceError(owner.send("GET", members(id), BodyPublishers.ofString("{}")), 400);
    assertGlanceError(owner.send("DELETE", members(id) + "/p-member",
        BodyPublishers.ofString("{}")), 400);
    Http.Resp r = owner.send("PATCH", members(id), BodyPublishers.noBody());
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET, POST");
    r = owner.send("POST", members(id) + "/p-member", BodyPublishers.noBody());
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET, PUT, DELETE");
    // still there
    owner.get(members(id) + "/p-member").expect(200);
  }

  @Test
  void membershipsAreNotLeakedThroughPercentEncodedIds() {
    String id = sharedImage();
    add(owner, id, "a b/c");
    // a slash cannot be addressed in a path segment, exactly as in Glance; a space can
    add(owner, id, "a b");
    JsonArray all = owner.get(members(id)).expect(200).json().getJsonArray("members");
    assertThat(all).hasSize(2);
    owner.get(members(id) + "/a%20b").expect(200);
    assertGlanceError(owner.get(members(id) + "/a%00b"), 404);
  }

  /**
   * Changes the visibility through the repository: PATCH is another part of the API and not what
   * these tests are about.
   */
  private static void setVisibility(String id, String visibility) {
    var images = server.app().images();
    Image image = images.find(id).await().orElseThrow();
    Image.Builder b = image.toBuilder();
    b.visibility = Visibility.parse(visibility).orElseThrow();
    assertThat(images.update(b.build()).await()).isPresent();
  }
}
