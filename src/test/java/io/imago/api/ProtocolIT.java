package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP edge as Glance has it (spec/images-api.md §0, §1; keystone.md §6): versions and
 * version negotiation, the URL space, 404/405/501, body rejection, request ids, and the error body
 * formats. Doubtful cases were compared with the reference Glance (Zed) on loopback.
 */
class ProtocolIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http http = server.http();

  private static final String UUID_ID = "req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  /** §1 for our configuration (no image cache, a single store), Glance's master column. */
  private JsonObject expectedVersions() {
    List<String[]> ids = new ArrayList<>();
    ids.add(new String[] {"v2.15", "SUPPORTED"});
    ids.add(new String[] {"v2.9", "SUPPORTED"});
    ids.add(new String[] {"v2.17", "CURRENT"});
    for (int minor = 7; minor >= 0; minor--) {
      ids.add(new String[] {"v2." + minor, "SUPPORTED"});
    }
    JsonArray versions = new JsonArray();
    for (String[] v : ids) {
      versions.add(new JsonObject().put("id", v[0]).put("status", v[1]).put("links",
          new JsonArray().add(new JsonObject().put("rel", "self").put("href", server.baseUrl() + "/v2/"))));
    }
    return new JsonObject().put("versions", versions);
  }

  @Test
  void versionsIs200WithTheExactListAndNoRequestId() {
    for (String path : new String[] {"/versions", "/versions/anything"}) {
      Http.Resp r = http.get(path).expect(200);
      assertThat(r.header("Content-Type")).startsWith("application/json");
      assertThat(r.json()).isEqualTo(expectedVersions());
      assertThat(r.header("X-Openstack-Request-Id")).isNull();
    }
    // whatever the method or the media type
    http.send("POST", "/versions", BodyPublishers.ofString("{}")).expect(200);
    assertThat(http.get("/versions", "Accept", "application/vnd.openstack.images-v2").expect(200).json())
        .isEqualTo(expectedVersions());
  }

  @Test
  void unversionedAndUnknownVersionPathsAre300WithTheSameDocument() {
    // v2.14/2.16/2.18 need the cache, v2.8 and v2.10-2.13 several stores: not accepted here
    for (String path : new String[] {"/", "/v1/x", "/v1", "/v3", "/v2.99/images", "/v2.18/images", "/v2.16/images",
        "/v2.14/images", "/v2.8/images", "/v2.12/images", "/images", "/healthcheck/x", "/v20/images"}) {
      Http.Resp r = http.get(path);
      assertThat(r.status()).as(path).isEqualTo(300);
      assertThat(r.json()).as(path).isEqualTo(expectedVersions());
      assertThat(r.header("X-Openstack-Request-Id")).as(path).isNull();
    }
    // no authentication needed there
    assertThat(http.get("/", "X-Identity-Status", "Invalid").status()).isEqualTo(300);
  }

  @Test
  void acceptedVersionPrefixesBehaveLikeV2() {
    JsonObject created = http.post("/v2.0/images", new JsonObject().put("name", "via-2.0")
        .put("visibility", "private")).expect(201).json();
    String id = created.getString("id");
    JsonObject shown = http.get("/v2/images/" + id).expect(200).json();
    for (String prefix : new String[] {"/v2.1", "/v2.7", "/v2.9", "/v2.15", "/v2.17"}) {
      assertThat(http.get(prefix + "/images/" + id).expect(200).json()).as(prefix).isEqualTo(shown);
    }
    assertGlanceError(http.get("/v2.15/images/" + id + "/members"), 403); // not shared: the route was found
    http.delete("/v2.9/images/" + id).expect(204);
    assertGlanceError(http.get("/v2.15/images/" + id), 404);
    // the query survives the prefix being stripped
    Http.Resp r = http.send("GET", "/v2.15/info/usage?x=1", BodyPublishers.noBody());
    r.expect(200);
  }

  @Test
  void versionedMediaTypeSelectsTheApiWithoutV2InThePath() {
    String id = Fixtures.createImage(http).getString("id");
    JsonObject shown = http.get("/v2/images/" + id).expect(200).json();
    for (String accept : new String[] {"application/vnd.openstack.images-v2", "application/vnd.openstack.images-v2.5",
        "application/vnd.openstack.images-v2.17"}) {
      assertThat(http.get("/images/" + id, "Accept", accept).expect(200).json()).as(accept).isEqualTo(shown);
      Http.Resp doubled = http.get("/v2/images/" + id, "Accept", accept);
      assertThat(doubled.status()).as(accept).isEqualTo(404);
      assertThat(doubled.header("X-Openstack-Request-Id")).startsWith("req-");
    }
    assertThat(http.get("/", "Accept", "application/vnd.openstack.images-v2").status()).isEqualTo(404);
    // an unknown version by media type is the versions document
    Http.Resp unknown = http.get("/images/" + id, "Accept", "application/vnd.openstack.images-v2.99");
    assertThat(unknown.status()).isEqualTo(300);
    assertThat(unknown.json()).isEqualTo(expectedVersions());
  }

  @Test
  void bareV2RedirectsToTheSlashedPrefixWhichIs404() {
    for (String path : new String[] {"/v2", "/v2.15"}) {
      Http.Resp r = http.get(path);
      assertThat(r.status()).as(path).isEqualTo(302);
      assertThat(r.header("Location")).isEqualTo(server.baseUrl() + "/v2/");
      assertThat(r.header("X-Openstack-Request-Id")).matches(UUID_ID);
    }
    assertGlanceError(http.get("/v2/"), 404);
    assertGlanceError(http.get("/v2.15/"), 404);
  }

  @Test
  void trailingSlashesAndUnknownResourcesAre404() {
    String id = Fixtures.createImage(http).getString("id");
    for (String path : new String[] {"/v2/images/", "/v2/images/" + id + "/", "/v2/images/" + id + "/file/",
        "/v2/foo", "/v2/images/" + id + "/foo", "/v2/info", "/v2/info/stores/detail/x"}) {
      Http.Resp r = http.get(path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertGlanceError(r, 404);
    }
    assertGlanceError(http.send("DELETE", "/v2/images/" + id + "/", BodyPublishers.noBody()), 404);
    http.get("/v2/images/" + id).expect(200);
    // repeated slashes collapse, as in Glance's router
    http.get("/v2//images//" + id).expect(200);
  }

  @Test
  void headIs405EverywhereInV2() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(10, 1));
    for (String[] c : new String[][] {
        {"/v2/images/" + id + "/file", "GET, PUT"},
        {"/v2/images/" + id + "/members", "GET, POST"},
        {"/v2/images/" + id + "/actions/deactivate", "POST"},
        {"/v2/info/import", "GET"}}) {
      Http.Resp r = http.send("HEAD", c[0], BodyPublishers.noBody());
      assertThat(r.status()).as(c[0]).isEqualTo(405);
      assertThat(r.header("Allow")).as(c[0]).isEqualTo(c[1]);
      assertThat(r.header("X-Openstack-Request-Id")).as(c[0]).startsWith("req-");
      assertThat(r.bytes()).isEmpty();
    }
    Http.Resp image = http.send("HEAD", "/v2/images/" + id, BodyPublishers.noBody());
    assertThat(image.status()).isEqualTo(405);
    assertThat(image.header("Allow")).contains("GET").contains("DELETE");
  }

  @Test
  void allowListsMethodsInRouteTableOrder() {
    String id = Fixtures.createImage(http, new JsonObject().put("visibility", "shared")).getString("id");
    http.post("/v2/images/" + id + "/members", new JsonObject().put("member", "p-x")).expect(200);
    String[][] cases = {
        {"DELETE", "/v2/images/" + id + "/file", "GET, PUT"},
        {"PUT", "/v2/images/" + id + "/members", "GET, POST"},
        {"POST", "/v2/images/" + id + "/members/p-x", "GET, PUT, DELETE"},
        {"GET", "/v2/images/" + id + "/actions/reactivate", "POST"},
        {"PUT", "/v2/info/stores/detail", "GET"},
        {"FOO", "/v2/images/" + id + "/members", "GET, POST"}};
    for (String[] c : cases) {
      Http.Resp r = http.send(c[0], c[1], BodyPublishers.noBody());
      assertGlanceError(r, 405);
      assertThat(r.header("Allow")).as(c[0] + " " + c[1]).isEqualTo(c[2]);
    }
  }

  @Test
  void aBodyOnAWrongMethodOfTheDataRouteIs405NotA400() {
    // ERRATA 14: Glance answers 400 here (its body check comes first); we give the honest 405
    String id = Fixtures.createImage(http).getString("id");
    Http.Resp r = http.send("POST", "/v2/images/" + id + "/file", BodyPublishers.ofString("xyz"),
        "Content-Type", "application/octet-stream");
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET, PUT");
  }

  @Test
  void nonStandardMethodsOnUnknownPathsAre501() {
    Http.Resp r = http.send("FOO", "/v2/nothing", BodyPublishers.noBody());
    assertGlanceError(r, 501);
    assertGlanceError(http.send("PUT", "/v2/nothing", BodyPublishers.noBody()), 404);
    // unversioned paths answer the versions document before any method check, as in Glance
    assertThat(http.send("FOO", "/nothing", BodyPublishers.noBody()).status()).isEqualTo(300);
  }

  @Test
  void optionsIsAnEmpty200AsGlancesCorsLayerMakesIt() {
    for (String path : new String[] {"/v2/images", "/v2/nothing", "/"}) {
      Http.Resp r = http.send("OPTIONS", path, BodyPublishers.noBody());
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.bytes()).as(path).isEmpty();
    }
    assertThat(http.send("OPTIONS", "/versions", BodyPublishers.noBody()).expect(200).json())
        .isEqualTo(expectedVersions());
  }

  @Test
  void bodiesOnBodyRejectingRoutesAre400() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(10, 2));
    for (String[] c : new String[][] {
        {"GET", "/v2/images/" + id}, {"DELETE", "/v2/images/" + id}, {"GET", "/v2/images/" + id + "/file"},
        {"GET", "/v2/images/" + id + "/tasks"}, {"POST", "/v2/images/" + id + "/actions/deactivate"},
        {"GET", "/v2/info/import"}}) {
      Http.Resp r = http.send(c[0], c[1], BodyPublishers.ofString("{}"));
      assertGlanceError(r, 400);
    }
    http.get("/v2/images/" + id).expect(200);
  }

  @Test
  void requestIdsOnEveryV2ResponseAndEchoed() {
    String id = Fixtures.createImage(http).getString("id");
    assertThat(http.get("/v2/images/" + id).expect(200).header("X-Openstack-Request-Id")).matches(UUID_ID);
    assertThat(http.get("/v2/images/nope").header("X-Openstack-Request-Id")).matches(UUID_ID);
    assertThat(http.get("/v2/nothing").header("X-Openstack-Request-Id")).matches(UUID_ID);
    assertThat(http.send("PATCH", "/v2/images/" + id + "/file", BodyPublishers.noBody())
        .header("X-Openstack-Request-Id")).matches(UUID_ID);
    assertThat(http.get("/v2/images", "X-Identity-Status", "Invalid").header("X-Openstack-Request-Id"))
        .matches(UUID_ID);

    assertThat(http.get("/v2/images/" + id, "X-Openstack-Request-Id", "abc").header("X-Openstack-Request-Id"))
        .isEqualTo("req-abc");
    assertThat(http.get("/v2/nothing", "X-Openstack-Request-Id", "req-xyz").header("X-Openstack-Request-Id"))
        .isEqualTo("req-xyz");
    assertThat(http.get("/v2/images/" + id, "X-Openstack-Request-Id", "").header("X-Openstack-Request-Id"))
        .matches(UUID_ID);
    String longest = "a".repeat(64);
    assertThat(http.get("/v2/images/" + id, "X-Openstack-Request-Id", longest).expect(200)
        .header("X-Openstack-Request-Id")).isEqualTo("req-" + longest);
    // quirk Q2: Glance answers 500, we 400
    assertGlanceError(http.get("/v2/images/" + id, "X-Openstack-Request-Id", "a".repeat(65)), 400);

    assertThat(http.get("/versions", "X-Openstack-Request-Id", "abc").header("X-Openstack-Request-Id")).isNull();
    assertThat(http.get("/", "X-Openstack-Request-Id", "abc").header("X-Openstack-Request-Id")).isNull();
    assertThat(http.get("/healthcheck", "X-Openstack-Request-Id", "abc").header("X-Openstack-Request-Id")).isNull();
  }

  @Test
  void errorBodiesFollowAccept() {
    Http.Resp html = http.get("/v2/nothing", "Accept", "*/*").expect(404);
    assertThat(html.header("Content-Type")).isEqualTo("text/html; charset=UTF-8");
    assertThat(html.body()).startsWith("<html>").contains("<title>404 Not Found</title>")
        .contains("<h1>404 Not Found</h1>");

    Http.Resp json = http.get("/v2/nothing", "Accept", "application/json").expect(404);
    assertThat(json.header("Content-Type")).isEqualTo("application/json");
    assertThat(json.json().fieldNames()).containsExactlyInAnyOrder("message", "code", "title");
    assertThat(json.json().getString("code")).isEqualTo("404 Not Found");
    assertThat(json.json().getString("title")).isEqualTo("Not Found");

    for (String accept : new String[] {"text/plain", "image/png", null}) {
      Http.Resp text = http.get("/v2/nothing", "Accept", accept).expect(404);
      assertThat(text.header("Content-Type")).as(accept).isEqualTo("text/plain; charset=UTF-8");
      assertThat(text.body()).as(accept).startsWith("404 Not Found\n\n");
    }
    assertThat(http.get("/v2/nothing", "Accept", "text/html;q=0.5, application/json").header("Content-Type"))
        .isEqualTo("application/json");
    assertThat(http.get("/v2/nothing", "Accept", "application/json;q=0.5, text/html;q=0.5").header("Content-Type"))
        .isEqualTo("text/html; charset=UTF-8");
    // the same for a 405 and a 400
    Http.Resp r405 = http.send("PUT", "/v2/info/import", BodyPublishers.noBody(), "Accept", "*/*");
    assertThat(r405.status()).isEqualTo(405);
    assertThat(r405.body()).contains("<title>405 Method Not Allowed</title>");
    Http.Resp r400 = http.send("GET", "/v2/info/import", BodyPublishers.ofString("{}"), "Accept", "text/plain");
    assertThat(r400.status()).isEqualTo(400);
    assertThat(r400.body()).startsWith("400 Bad Request\n\nA body is not expected with this request.");
  }

  @Test
  void importInfoIsEmptyByDefault() {
    assertThat(http.get("/v2/info/import").expect(200).json().getJsonObject("import-methods").getJsonArray("value"))
        .isEmpty();
  }

  @Test
  void undecodablePathsAreClientErrors() {
    String id = Fixtures.createImage(http, new JsonObject().put("visibility", "shared")).getString("id");
    // a NUL names nothing (Glance: 404)
    for (String path : new String[] {"/v2/images/%00", "/v2/images/%00/members", "/v2/images/" + id + "/members/%00"}) {
      assertGlanceError(http.get(path), 404);
    }
    // not UTF-8 (Glance: 500 from its WSGI server; spec §0.2: 400)
    for (String path : new String[] {"/v2/images/%FF", "/v2/images/a%FFb/members", "/v2/images/" + id + "/members/%FF",
        "/v2/images/%C3%28"}) {
      assertGlanceError(http.get(path), 400);
    }
    http.get("/v2/images/" + id).expect(200);
  }
}
