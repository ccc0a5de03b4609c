package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sharing and deactivation with the legacy policy defaults ({@code enforce_new_defaults=false},
 * Glance Zed's default, which is how the reference Glance runs), and the member quota.
 */
class LegacyPolicyIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("policy.enforce_new_defaults", "false")
      .with("images.image_member_quota", "2");

  // in legacy mode any role of the owning project will do
  private final Http owner = server.http().as("p-owner", "reader");
  private final Http member = server.http().as("p-member", "reader");
  private final Http other = server.http().as("p-other", "member", "reader");
  private final Http admin = server.http().as("p-admin", "admin");

  private static String members(String id) {
    return "/v2/images/" + id + "/members";
  }

  private String sharedImage() {
    return Fixtures.createImage(owner, new JsonObject().put("visibility", "shared")).getString("id");
  }

  @Test
  void theOwnerManagesMembersAndTheMemberItsStatus() {
    String id = sharedImage();
    owner.post(members(id), new JsonObject().put("member", "p-member")).expect(200);
    assertGlanceError(member.post(members(id), new JsonObject().put("member", "p-other")), 403);
    assertGlanceError(owner.put(members(id) + "/p-member", new JsonObject().put("status", "accepted")), 403);
    assertThat(member.put(members(id) + "/p-member", new JsonObject().put("status", "accepted")).expect(200).json()
        .getString("status")).isEqualTo("accepted");
    assertGlanceError(member.delete(members(id) + "/p-member"), 403);
    assertThat(admin.put(members(id) + "/p-member", new JsonObject().put("status", "rejected")).expect(200).json()
        .getString("status")).isEqualTo("rejected");
    owner.delete(members(id) + "/p-member").expect(204);
  }

  @Test
  void theMemberQuotaIs413AndCountsBeforeDuplicates() {
    String id = sharedImage();
    owner.post(members(id), new JsonObject().put("member", "p-1")).expect(200);
    owner.post(members(id), new JsonObject().put("member", "p-2")).expect(200);
    assertGlanceError(owner.post(members(id), new JsonObject().put("member", "p-3")), 413);
    // Glance checks the quota before looking for a duplicate
    assertGlanceError(owner.post(members(id), new JsonObject().put("member", "p-1")), 413);
    owner.delete(members(id) + "/p-2").expect(204);
    owner.post(members(id), new JsonObject().put("member", "p-3")).expect(200);
    assertGlanceError(admin.post(members(id), new JsonObject().put("member", "p-4")), 413);
    // the quota is per image
    String second = sharedImage();
    owner.post(members(second), new JsonObject().put("member", "p-1")).expect(200);
  }

  @Test
  void deactivationByAnyRoleOfTheOwnerButNotByOthers() {
    String id = Fixtures.createImage(owner, new JsonObject().put("visibility", "community")).getString("id");
    owner.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(10, 31)).expect(204);
    assertGlanceError(other.post("/v2/images/" + id + "/actions/deactivate", null), 403);
    owner.post("/v2/images/" + id + "/actions/deactivate", null).expect(204);
    assertGlanceError(other.get("/v2/images/" + id + "/file"), 403);
    assertGlanceError(other.post("/v2/images/" + id + "/actions/reactivate", null), 403);
    owner.post("/v2/images/" + id + "/actions/reactivate", null).expect(204);
    other.get("/v2/images/" + id + "/file").expect(200);
  }
}
