package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.domain.Image;
import io.imago.domain.Location;
import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two file stores as Glance's {@code enabled_backends} (spec/images-api.md §4.6, §4.15, §4.16, §7):
 * the multi-store API versions, the store list and details, uploads to a store chosen by
 * {@code X-Image-Meta-Store}, the {@code stores} attribute, and removing data from one store.
 */
class MultiStoreIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("store.enabled_backends.fast.type", "file")
      .with("store.enabled_backends.fast.description", "Fast disks")
      .with("store.enabled_backends.fast.weight", "100")
      .with("store.enabled_backends.cheap.type", "file")
      .with("store.default_backend", "fast");

  private final Http admin = server.http().as("p-admin", "admin", "member", "reader");
  private final Http member = server.http().as("p-member", "member", "reader");

  private Path storeDir(String store) {
    return server.dataDir().resolve("images").resolve(store);
  }

  @Test
  void theVersionsDocumentAdvertisesTheMultiStoreVersions() {
    List<String> ids = new ArrayList<>();
    admin.get("/versions").expect(200).json().getJsonArray("versions")
        .forEach(v -> ids.add(((JsonObject) v).getString("id")));
    assertThat(ids).contains("v2.8", "v2.9", "v2.10", "v2.11", "v2.12", "v2.13");
    admin.get("/v2.13/info/stores").expect(200);
  }

  @Test
  void storesAreListedInConfigurationOrderWithTheDefaultMarked() {
    assertThat(member.get("/v2/info/stores").expect(200).json()).isEqualTo(new JsonObject().put("stores",
        new JsonArray()
            .add(new JsonObject().put("id", "fast").put("description", "Fast disks").put("default", "true"))
            .add(new JsonObject().put("id", "cheap"))));
  }

  @Test
  void storeDetailsAreForAdmins() {
    JsonArray stores = admin.get("/v2/info/stores/detail").expect(200).json().getJsonArray("stores");
    JsonObject fast = stores.getJsonObject(0);
    assertThat(fast.getString("id")).isEqualTo("fast");
    assertThat(fast.getString("type")).isEqualTo("file");
    assertThat(fast.getInteger("weight")).isEqualTo(100);
    assertThat(fast.getJsonObject("properties").getString("data_dir")).isEqualTo(storeDir("fast").toString());
    assertThat(fast.getJsonObject("properties").getBoolean("thin_provisioning")).isFalse();
    assertThat(stores.getJsonObject(1).getString("id")).isEqualTo("cheap");
    assertGlanceError(member.get("/v2/info/stores/detail"), 403);
  }

  @Test
  void createAnnouncesTheStoreIds() {
    assertThat(member.post("/v2/images", new JsonObject().put("name", "x")).expect(201)
        .header("OpenStack-image-store-ids")).isEqualTo("fast,cheap");
  }

  @Test
  void anUploadGoesToTheStoreItNamesOrToTheDefault() {
    byte[] one = Fixtures.bytes(300_000, 1);
    byte[] two = Fixtures.bytes(200_000, 2);
    String inFast = Fixtures.activeImage(member, one);
    String inCheap = Fixtures.createImage(member).getString("id");
    member.putBytes("/v2/images/" + inCheap + "/file", two, "X-Image-Meta-Store", "cheap").expect(204);

    assertThat(member.get("/v2/images/" + inFast).expect(200).json().getString("stores")).isEqualTo("fast");
    assertThat(member.get("/v2/images/" + inCheap).expect(200).json().getString("stores")).isEqualTo("cheap");
    assertThat(storeDir("fast").resolve(inFast)).hasBinaryContent(one);
    assertThat(storeDir("cheap").resolve(inCheap)).hasBinaryContent(two);
    assertThat(member.get("/v2/images/" + inCheap + "/file").expect(200).bytes()).isEqualTo(two);
  }

  @Test
  void anUnknownStoreIsRefusedBeforeAnythingIsStored() {
    String id = Fixtures.createImage(member).getString("id");
    Http.Resp r = member.putBytes("/v2/images/" + id + "/file", new byte[1000], "X-Image-Meta-Store", "nowhere");
    assertGlanceError(r, 400);
    assertThat(r.body()).contains("nowhere");
    JsonObject image = member.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("queued");
    assertThat(image.containsKey("stores")).isFalse();
  }

  @Test
  void everyoneWhoSeesAnImageSeesItsStores() {
    String id = Fixtures.createImage(admin, new JsonObject().put("visibility", "public")).getString("id");
    admin.putBytes("/v2/images/" + id + "/file", new byte[] {7, 8}, "X-Image-Meta-Store", "cheap").expect(204);
    // as Glance: get_image_location (project readers and admins) does not hide them, on show or list
    Http otherProject = server.http().as("p-other", "member", "reader");
    Http reader = server.http().as("p-reader", "reader");
    for (Http who : List.of(otherProject, reader, member)) {
      assertThat(who.get("/v2/images/" + id).expect(200).json().getString("stores")).isEqualTo("cheap");
      JsonObject listed = who.get("/v2/images?id=" + id).expect(200).json().getJsonArray("images").getJsonObject(0);
      assertThat(listed.getString("stores")).isEqualTo("cheap");
    }
  }

  @Test
  void aDeactivatedImageShowsItsStoresOnlyToAdmins() {
    String id = Fixtures.activeImage(member, new byte[] {4, 5, 6});
    admin.post("/v2/images/" + id + "/actions/deactivate", null).expect(204);
    // as Glance: its locations, and so its stores, are hidden from non-admins while deactivated
    assertThat(member.get("/v2/images/" + id).expect(200).json().containsKey("stores")).isFalse();
    JsonObject listed = member.get("/v2/images?id=" + id).expect(200).json().getJsonArray("images").getJsonObject(0);
    assertThat(listed.containsKey("stores")).isFalse();
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getString("stores")).isEqualTo("fast");
    admin.post("/v2/images/" + id + "/actions/reactivate", null).expect(204);
    assertThat(member.get("/v2/images/" + id).expect(200).json().getString("stores")).isEqualTo("fast");
  }

  @Test
  void deletingFromAStoreFollowsGlancesRules() throws Exception {
    byte[] data = Fixtures.bytes(100_000, 3);
    String id = Fixtures.activeImage(admin, data);
    // the only store holding it, an unknown store, a store without it, an image without data
    assertGlanceError(admin.delete("/v2/stores/fast/" + id), 403);
    assertGlanceError(admin.delete("/v2/stores/nowhere/" + id), 409);
    assertGlanceError(admin.delete("/v2/stores/fast/" + java.util.UUID.randomUUID()), 404);
    String queued = Fixtures.createImage(admin).getString("id");
    assertGlanceError(admin.delete("/v2/stores/fast/" + queued), 409);

    // in both stores (as copy-image will make it): a copy of the bytes and a second location
    Files.copy(storeDir("fast").resolve(id), storeDir("cheap").resolve(id));
    Image image = server.app().images().find(id).await().orElseThrow();
    Image.Builder both = image.toBuilder();
    both.locations = List.of(image.locations().get(0), new Location("cheap", id, Map.of("store", "cheap")));
    server.app().images().update(both.build()).await().orElseThrow();
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getString("stores")).isEqualTo("fast,cheap");

    assertGlanceError(member.delete("/v2/stores/fast/" + id), 404); // not the member's image
    admin.delete("/v2/stores/fast/" + id).expect(204);
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getString("stores")).isEqualTo("cheap");
    Await.until("the blob sweeper deleted the data in fast", () -> !Files.exists(storeDir("fast").resolve(id)));
    assertThat(admin.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
    assertGlanceError(admin.delete("/v2/stores/fast/" + id), 403); // now its only store is cheap
  }

  @Test
  void deletingFromAStoreNeedsTheLocationPolicies() {
    String id = Fixtures.activeImage(member, new byte[] {1});
    // Glance's secure-RBAC default: delete_image_location is for admins
    assertGlanceError(member.delete("/v2/stores/fast/" + id), 403);
  }
}
