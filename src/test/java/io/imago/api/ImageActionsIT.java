package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest.BodyPublishers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deactivate and reactivate over HTTP (spec/images-api.md §4.10), secure-RBAC defaults. */
class ImageActionsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("images.show_multiple_locations", "true");

  private final Http admin = server.http().as("p-admin", "admin");
  private final Http owner = server.http().as("p-owner", "member", "reader");
  private final Http ownerReader = server.http().as("p-owner", "reader");
  private final Http other = server.http().as("p-other", "member", "reader");

  private static String deactivate(String id) {
    return "/v2/images/" + id + "/actions/deactivate";
  }

  private static String reactivate(String id) {
    return "/v2/images/" + id + "/actions/reactivate";
  }

  private static String status(Http as, String id) {
    return as.get("/v2/images/" + id).expect(200).json().getString("status");
  }

  @Test
  void deactivateAndReactivateAre204AndIdempotent() {
    byte[] data = Fixtures.bytes(2048, 11);
    String id = Fixtures.activeImage(owner, data);

    Http.Resp r = owner.post(deactivate(id), null).expect(204);
    assertThat(r.bytes()).isEmpty();
    assertThat(r.header("X-Openstack-Request-Id")).startsWith("req-");
    assertThat(status(owner, id)).isEqualTo("deactivated");
    owner.post(deactivate(id), null).expect(204);
    assertThat(status(owner, id)).isEqualTo("deactivated");

    owner.post(reactivate(id), null).expect(204);
    assertThat(status(owner, id)).isEqualTo("active");
    owner.post(reactivate(id), null).expect(204);
    assertThat(status(owner, id)).isEqualTo("active");
    assertThat(owner.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
  }

  @Test
  void whileDeactivatedOnlyAdminsDownloadAndSeeLocations() {
    byte[] data = Fixtures.bytes(512, 12);
    String id = Fixtures.activeImage(owner, data);
    assertThat(owner.get("/v2/images/" + id).expect(200).json().getJsonArray("locations")).hasSize(1);
    owner.post(deactivate(id), null).expect(204);

    assertGlanceError(owner.get("/v2/images/" + id + "/file"), 403);
    assertThat(admin.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
    JsonObject seenByOwner = owner.get("/v2/images/" + id).expect(200).json();
    assertThat(seenByOwner.getJsonArray("locations")).isEmpty();
    assertThat(seenByOwner.getString("checksum")).isEqualTo(Fixtures.md5(data));
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getJsonArray("locations")).hasSize(1);

    owner.post(reactivate(id), null).expect(204);
    assertThat(owner.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
  }

  @Test
  void otherStatusesAre403() {
    String queued = Fixtures.createImage(owner).getString("id");
    assertGlanceError(owner.post(deactivate(queued), null), 403);
    assertGlanceError(owner.post(reactivate(queued), null), 403);
    assertThat(status(owner, queued)).isEqualTo("queued");
  }

  @Test
  void whoMayDoIt() {
    String id = Fixtures.activeImage(owner, Fixtures.bytes(10, 13));
    // reader-only in the owning project: may see, may not change
    assertGlanceError(ownerReader.post(deactivate(id), null), 403);
    // another project cannot see a private image at all
    assertGlanceError(other.post(deactivate(id), null), 404);
    assertGlanceError(other.post(reactivate(id), null), 404);
    assertGlanceError(owner.post(deactivate("00000000-0000-0000-0000-000000000000"), null), 404);
    assertThat(status(owner, id)).isEqualTo("active");

    // a community image is visible to others, who still may not deactivate it
    String community = Fixtures.createImage(owner, new JsonObject().put("visibility", "community")).getString("id");
    owner.putBytes("/v2/images/" + community + "/file", Fixtures.bytes(10, 14)).expect(204);
    assertGlanceError(other.post(deactivate(community), null), 403);

    admin.post(deactivate(id), null).expect(204);
    assertThat(status(owner, id)).isEqualTo("deactivated");
    assertGlanceError(ownerReader.post(reactivate(id), null), 403);
    owner.post(reactivate(id), null).expect(204);
  }

  @Test
  void aBodyIs400AndOtherMethods405() {
    String id = Fixtures.activeImage(owner, Fixtures.bytes(10, 15));
    assertGlanceError(owner.post(deactivate(id), new JsonObject()), 400);
    assertGlanceError(owner.post(reactivate(id), "x"), 400);
    // a chunked body (no Content-Length) counts too
    assertGlanceError(owner.send("POST", deactivate(id), BodyPublishers.fromPublisher(BodyPublishers.ofString("{}"))),
        400);
    assertThat(status(owner, id)).isEqualTo("active");
    for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH", "HEAD"}) {
      Http.Resp r = owner.send(method, deactivate(id), BodyPublishers.noBody());
      assertThat(r.status()).as(method).isEqualTo(405);
      assertThat(r.header("Allow")).as(method).isEqualTo("POST");
    }
  }
}
