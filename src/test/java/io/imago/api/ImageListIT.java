package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /v2/images}: errors, response shape, {@code first}/{@code next} links, filters and
 * sorting (spec/images-api.md §4.2, §10 Q5/Q6, ERRATA 2 and 6). All images belong to project
 * {@code ps} and are listed by it; expectations follow what the reference Glance answered.
 */
class ImageListIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("images.api_limit_max", "4");

  private static Http ps;
  /** Names in creation order; {@code null} is an image without a name. */
  private static final List<String> NAMES = new ArrayList<>();
  private static String threeBytes;
  private static String eightBytes;
  private static String zeroBytes;
  private static String tagged;

  @BeforeAll
  static void images() {
    ps = server.http().as("ps", "member", "reader");
    create(new JsonObject());
    threeBytes = upload(create(new JsonObject().put("name", "b")), 3);
    eightBytes = upload(create(new JsonObject().put("name", "b")), 8);
    zeroBytes = upload(create(new JsonObject().put("name", "glass, darkly")), 0);
    create(new JsonObject().put("name", "a\"q"));
    create(new JsonObject().put("name", "a:b"));
    create(new JsonObject().put("name", ""));
    tagged = create(new JsonObject().put("name", "c").put("tags", new JsonArray().add("x").add("y"))
        .put("hw_disk_bus", "virtio").put("protected", true).put("min_ram", 512));
    create(new JsonObject().put("name", "d").put("tags", new JsonArray().add("x")));
  }

  private static String create(JsonObject attributes) {
    JsonObject image = Fixtures.createImage(ps, attributes);
    NAMES.add(image.getString("name"));
    return image.getString("id");
  }

  private static String upload(String id, int size) {
    ps.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(size, size)).expect(204);
    return id;
  }

  private static JsonObject page(String pathAndQuery) {
    return ps.get(pathAndQuery).expect(200).json();
  }

  private static List<String> names(String query) {
    List<String> out = new ArrayList<>();
    for (Object o : page("/v2/images" + query).getJsonArray("images")) {
      out.add(((JsonObject) o).getString("name"));
    }
    return out;
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Follows {@code next} from {@code query} and returns every image name, page by page. */
  private static List<String> allPages(String query) {
    List<String> out = new ArrayList<>();
    String url = "/v2/images" + query;
    for (int pages = 0; url != null; pages++) {
      assertThat(pages).as("pages followed").isLessThan(50);
      JsonObject page = page(url);
      page.getJsonArray("images").forEach(o -> out.add(((JsonObject) o).getString("name")));
      url = page.getString("next");
    }
    return out;
  }

  // ---- errors: every 400/403 row of the parameter table

  @ParameterizedTest
  @ValueSource(strings = {
      "limit=", "limit=abc", "limit=1.5", "limit=-1",
      "marker=", "marker=notauuid", "marker=00000000-0000-0000-0000-000000000000",
      "sort_key=owner", "sort_dir=up", "sort=name:up", "sort=bogus", "sort=name&sort_key=name",
      "sort=name&sort_dir=asc", "sort_key=name&sort_dir=asc&sort_dir=desc", "sort_dir=asc&sort_dir=desc",
      "name=neq:x", "name=a:b", "status=gt:active",
      "name=in:a%22q", "name=in:%22glass,%20darkly%22x", "name=in:%22abc",
      "visibility=bogus", "member_status=bogus", "member_status=",
      "size_min=abc", "size_max=1.5", "min_ram_min=", "foo_min=1", "name_min=1", "created_at_max=1",
      "created_at=gt:bogus", "created_at=bogus:2020-01-01", "updated_at=", "updated_at=gt:2020-13-01",
      "os_hidden=yes", "os_hidden=", "protected=True", "protected=",
      "changes-since=2020-01-01T00:00:00Z", "changes-since=",
      "x=%ff", "%ff=1"})
  void malformedParametersAreBadRequests(String query) {
    assertGlanceError(ps.get("/v2/images?" + query), 400);
  }

  @Test
  void aDeletedMarkerIsABadRequest() {
    String id = Fixtures.createImage(ps).getString("id");
    NAMES.add(null);
    ps.delete("/v2/images/" + id).expect(204);
    NAMES.remove(NAMES.size() - 1);
    assertGlanceError(ps.get("/v2/images?marker=" + id), 400);
  }

  @Test
  void aMarkerTheCallerCannotSeeIsForbidden() {
    Http other = server.http().as("other", "member", "reader");
    String hidden = Fixtures.createImage(other, new JsonObject().put("visibility", "private")).getString("id");
    assertGlanceError(ps.get("/v2/images?marker=" + hidden), 403);
    // readable images make fine markers, even when they are not in the listing (ERRATA 2)
    String community = Fixtures.createImage(other, new JsonObject().put("visibility", "community")).getString("id");
    assertThat(ps.get("/v2/images?marker=" + community).expect(200).json().getJsonArray("images")).isNotNull();
    other.delete("/v2/images/" + hidden).expect(204);
    other.delete("/v2/images/" + community).expect(204);
  }

  @Test
  void getImagesPolicyIsChecked() {
    // secure RBAC: listing needs the reader role on the project
    assertGlanceError(server.http().as("ps", "member").get("/v2/images"), 403);
    assertGlanceError(server.http().as("ps", "nobody").get("/v2/images?limit=1"), 403);
  }

  // ---- response shape and links

  @Test
  void responseShapeWithoutParameters() {
    JsonObject page = page("/v2/images");
    assertThat(page.fieldNames()).containsExactly("images", "first", "schema", "next");
    assertThat(page.getString("first")).isEqualTo("/v2/images");
    assertThat(page.getString("schema")).isEqualTo("/v2/schemas/images");
    // the page size is capped at api_limit_max (4 here), and a full page links to the next
    assertThat(page.getJsonArray("images")).hasSize(4);
    assertThat(page.getString("next")).isEqualTo("/v2/images?marker="
        + page.getJsonArray("images").getJsonObject(3).getString("id"));
    JsonObject last = page("/v2/images?name=c");
    assertThat(last.fieldNames()).containsExactly("images", "first", "schema");
    assertThat(last.getString("first")).isEqualTo("/v2/images?name=c");
  }

  @Test
  void listedImagesAreRenderedLikeShow() {
    for (Object o : page("/v2/images?limit=4&sort=name:asc").getJsonArray("images")) {
      JsonObject listed = (JsonObject) o;
      assertThat(listed).isEqualTo(ps.get("/v2/images/" + listed.getString("id")).expect(200).json());
    }
  }

  @Test
  void nextIsPresentExactlyWhenThePageIsFullAndCarriesTheLastId() {
    JsonObject first = page("/v2/images?limit=2&sort=name:asc");
    JsonArray images = first.getJsonArray("images");
    assertThat(first.getString("first")).isEqualTo("/v2/images?limit=2&sort=name%3Aasc");
    assertThat(first.getString("next")).isEqualTo("/v2/images?limit=2&sort=name%3Aasc&marker="
        + images.getJsonObject(1).getString("id"));
    // the marker of the request is dropped from "first" and replaced at the end of "next"
    JsonObject second = page(first.getString("next"));
    assertThat(second.getString("first")).isEqualTo("/v2/images?limit=2&sort=name%3Aasc");
    assertThat(second.getString("next")).endsWith("&marker=" + second.getJsonArray("images").getJsonObject(1)
        .getString("id"));
    // fewer than limit: no next
    assertThat(page("/v2/images?name=c&limit=2").fieldNames()).doesNotContain("next");
  }

  @Test
  void anExactlyFullLastPageLinksToAnEmptyPage() {
    // 9 images, pages of 3: the third page is full and has a next (quirk Q6), the fourth is empty
    JsonObject first = page("/v2/images?limit=3&sort=name:asc");
    JsonObject third = page(page(first.getString("next")).getString("next"));
    assertThat(third.getJsonArray("images")).hasSize(3);
    JsonObject fourth = page(third.getString("next"));
    assertThat(fourth.getJsonArray("images")).isEmpty();
    assertThat(fourth.fieldNames()).doesNotContain("next");
  }

  @Test
  void linksCollapseRepeatedParametersToTheirLastValueInFirstAppearanceOrder() {
    JsonObject page = page("/v2/images?tag=x&limit=1&tag=y&tag=x");
    assertThat(page.getString("first")).isEqualTo("/v2/images?tag=x&limit=1");
    assertThat(page.getString("next")).isEqualTo("/v2/images?tag=x&limit=1&marker=" + tagged);
    assertThat(page("/v2/images?limit=1&name=zz&limit=3").getString("first")).isEqualTo(
        "/v2/images?limit=3&name=zz");
  }

  @Test
  void linksAreEncodedLikePythonsUrlencode() {
    assertThat(page("/v2/images?name=a~b*c%20d+e&limit=2&foo").getString("first"))
        .isEqualTo("/v2/images?name=a~b%2Ac+d+e&limit=2&foo=");
    assertThat(page("/v2/images?a;b=1").getString("first")).isEqualTo("/v2/images?a=&b=1");
  }

  @Test
  void limitZeroIsAnEmptyPageWithoutNext() {
    JsonObject page = page("/v2/images?limit=0");
    assertThat(page.getJsonArray("images")).isEmpty();
    assertThat(page.fieldNames()).doesNotContain("next");
    assertThat(page.getString("first")).isEqualTo("/v2/images?limit=0");
  }

  @Test
  void theLastLimitWins() {
    // ERRATA 6: Glance answers an empty page; we use the last value
    assertThat(names("?limit=1&limit=3&sort=name:asc")).hasSize(3);
  }

  @Test
  void aBodyIsIgnoredAndOtherMethodsAreNotAllowed() {
    Http.Resp r = ps.send("GET", "/v2/images?limit=1", HttpRequest.BodyPublishers.ofString("{\"x\": 1}"),
        "Content-Type", "application/json");
    r.expect(200);
    Http.Resp put = ps.put("/v2/images", new JsonObject());
    assertGlanceError(put, 405);
    assertThat(put.header("Allow")).isEqualTo("GET, POST");
  }

  @Test
  void versionedPathsListToo() {
    assertThat(page("/v2.1/images?limit=1&name=c").getJsonArray("images")).hasSize(1);
  }

  // ---- sorting, with nulls

  @Test
  void namesSortWithNullFirstAscendingAndLastDescending() {
    List<String> asc = new ArrayList<>(List.of("", "a\"q", "a:b", "b", "b", "c", "d", "glass, darkly"));
    asc.add(0, null);
    assertThat(allPages("?sort=name:asc&limit=3")).containsExactlyElementsOf(asc);
    List<String> desc = new ArrayList<>(asc);
    java.util.Collections.reverse(desc);
    assertThat(allPages("?sort_key=name&sort_dir=desc&limit=4")).containsExactlyElementsOf(desc);
  }

  @Test
  void sizesSortWithNullAsTheSmallestValueAndPageWithoutLoops() {
    // Glance loops forever on sort=size:desc with limit=1 and drops rows on size:asc; we do neither
    List<String> desc = allPages("?sort=size:desc,name:asc&limit=1");
    assertThat(desc.subList(0, 3)).containsExactly("b", "b", "glass, darkly");
    assertThat(desc.subList(3, desc.size())).containsExactly(null, "", "a\"q", "a:b", "c", "d");
    List<String> asc = allPages("?sort=size:asc,name:asc&limit=2");
    assertThat(asc).containsExactly(null, "", "a\"q", "a:b", "c", "d", "glass, darkly", "b", "b");
  }

  @Test
  void defaultOrderIsNewestFirst() {
    List<String> expected = new ArrayList<>(NAMES.subList(0, 9));
    java.util.Collections.reverse(expected);
    assertThat(allPages("?limit=2")).containsExactlyElementsOf(expected);
    List<String> oldestFirst = new ArrayList<>(NAMES.subList(0, 9));
    assertThat(allPages("?sort_dir=asc&limit=4")).containsExactlyElementsOf(oldestFirst);
  }

  // ---- filters

  @Test
  void nameFiltersWithEqAndQuotedInLists() {
    assertThat(names("?name=" + q("in:\"glass, darkly\",b"))).containsExactlyInAnyOrder("glass, darkly", "b", "b");
    // an escaped quote is kept as written: "a\"q" is not a"q
    assertThat(names("?name=" + q("in:\"a\\\"q\",c"))).containsExactly("c");
    assertThat(names("?name=eq:a:b")).containsExactly("a:b");
    assertThat(names("?name=in:a:b")).containsExactly("a:b");
    assertThat(names("?name=")).containsExactly("");
    assertThat(names("?name=in:")).isEmpty();
    assertThat(names("?name=in:,c")).containsExactlyInAnyOrder("", "c");
  }

  @Test
  void tagsMustAllMatch() {
    assertThat(names("?tag=x")).containsExactly("d", "c");
    assertThat(names("?tag=x&tag=y")).containsExactly("c");
    assertThat(names("?tag=x&tag=z")).isEmpty();
  }

  @Test
  void sizeRangesAreInclusiveAndSkipNull() {
    assertThat(names("?size_min=3&size_max=8")).containsExactly("b", "b");
    assertThat(names("?size_max=5")).containsExactly("glass, darkly", "b");
    assertThat(names("?size_min=0")).containsExactly("glass, darkly", "b", "b");
    assertThat(names("?min_ram_min=0")).hasSize(4); // capped page; every image has min_ram
    assertThat(names("?min_ram_min=1")).containsExactly("c");
  }

  @Test
  void baseColumnsAndCustomPropertiesMatchExactly() {
    assertThat(names("?hw_disk_bus=virtio")).containsExactly("c");
    assertThat(names("?hw_disk_bus=VIRTIO")).isEmpty();
    assertThat(names("?protected=true")).containsExactly("c");
    assertThat(names("?min_ram=512")).containsExactly("c");
    assertThat(names("?min_ram=abc")).isEmpty();
    assertThat(names("?owner=ps&name=d")).containsExactly("d");
    assertThat(names("?owner=other")).isEmpty();
    assertThat(names("?status=in:active,killed")).containsExactlyInAnyOrder("glass, darkly", "b", "b");
    assertThat(names("?status=bogus")).isEmpty();
    assertThat(names("?checksum=" + Fixtures.md5(Fixtures.bytes(3, 3)))).containsExactly("b");
    assertThat(names("?id=" + zeroBytes)).containsExactly("glass, darkly");
    assertThat(names("?id=in:" + threeBytes + "," + eightBytes)).containsExactly("b", "b");
    assertThat(names("?deleted_at=x")).isEmpty();
    assertThat(names("?visibility=")).isEmpty();
    assertThat(names("?deleted=true&name=d")).containsExactly("d");
  }

  @Test
  void timestampsCompareAtTheSecondsImagesShow() {
    JsonObject c = ps.get("/v2/images/" + tagged).expect(200).json();
    String created = c.getString("created_at");
    assertThat(names("?name=c&created_at=" + q(created))).containsExactly("c");
    assertThat(names("?name=c&created_at=eq:" + q(created))).containsExactly("c");
    assertThat(names("?name=c&created_at=gte:" + q(created))).containsExactly("c");
    assertThat(names("?name=c&created_at=lte:" + q(created))).containsExactly("c");
    assertThat(names("?name=c&created_at=gt:" + q(created))).isEmpty();
    assertThat(names("?name=c&created_at=neq:" + q(created))).isEmpty();
    assertThat(names("?name=c&updated_at=lt:2099")).containsExactly("c");
    assertThat(names("?name=c&updated_at=lt:2000-01-01")).isEmpty();
    assertThat(Set.copyOf(names("?created_at=gt:2020-01-01T00:00:00%2B01:00&limit=4"))).isNotEmpty();
  }
}
