package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.db.ImageRepository;
import io.imago.db.MemberRepository;
import io.imago.domain.ImageStatus;
import io.imago.domain.MemberStatus;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Who sees what in {@code GET /v2/images} (spec/images-api.md §4.2 "Who sees what", §5), on the
 * data set used against the reference Glance: every expected list below is what Glance answered
 * there, in its order (newest first).
 */
class ImageListVisibilityIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private static final String USER = "member,reader";

  @BeforeAll
  static void images() {
    Http admin = server.http().as("padmin", "admin");
    Http pa = server.http().as("pa", USER);
    Http pb = server.http().as("pb", USER);
    String priv = create(pa, "a-priv", "private");
    String shared = create(pa, "a-shared", "shared");
    create(pa, "a-comm", "community");
    Fixtures.createImage(admin, new JsonObject().put("name", "a-pub").put("visibility", "public").put("owner", "pa"));
    create(pb, "b-priv", "private");
    create(pb, "b-comm", "community");
    Fixtures.createImage(pb, new JsonObject().put("name", "b-hidden").put("visibility", "private")
        .put("os_hidden", true));
    create(admin, "adm-priv", "private");
    Fixtures.createImage(admin, new JsonObject().put("name", "null-own").put("visibility", "private")
        .putNull("owner"));
    Fixtures.createImage(admin, new JsonObject().put("name", "null-comm").put("visibility", "community")
        .putNull("owner"));

    // the members API is another component's; its repository is ours and real
    MemberRepository members = server.app().members();
    for (String m : List.of("pb", "pc", "pd")) {
      members.add(shared, m).await();
    }
    members.setStatus(shared, "pb", MemberStatus.ACCEPTED).await();
    members.setStatus(shared, "pd", MemberStatus.REJECTED).await();
    // a membership of an image that is not shared grants nothing
    members.add(priv, "pc").await();
    members.setStatus(priv, "pc", MemberStatus.ACCEPTED).await();

    // never listed, whoever asks and whatever the filters
    String deleted = create(pa, "a-deleted", "shared");
    members.add(deleted, "pc").await();
    members.setStatus(deleted, "pc", MemberStatus.ACCEPTED).await();
    pa.delete("/v2/images/" + deleted).expect(204);
    ImageRepository images = server.app().images();
    String killed = create(pa, "a-killed", "community");
    images.startUpload(killed, "elsewhere").await();
    images.changeStatus(killed, ImageStatus.SAVING, ImageStatus.KILLED).await();
  }

  private static String create(Http as, String name, String visibility) {
    return Fixtures.createImage(as, new JsonObject().put("name", name).put("visibility", visibility))
        .getString("id");
  }

  private static List<String> names(String project, String roles, String query) {
    JsonObject page = server.http().as(project, roles.split(",")).get("/v2/images" + query).expect(200).json();
    return page.getJsonArray("images").stream().map(o -> ((JsonObject) o).getString("name")).toList();
  }

  @ParameterizedTest(name = "{0} {2}")
  @CsvSource(delimiter = '|', value = {
      // default listing: own images (any visibility), public, shared-with-me accepted; no foreign community
      "pa|member,reader||a-pub,a-comm,a-shared,a-priv",
      "pb|member,reader||b-comm,b-priv,a-pub,a-shared",
      "pc|member,reader||a-pub",
      "pd|member,reader||a-pub",
      "pz|member,reader||a-pub",
      // admin: everything except other projects' community images; owner-less private included
      "padmin|admin||null-own,adm-priv,b-priv,a-pub,a-shared,a-priv",
      "pa|admin||null-own,adm-priv,b-priv,a-pub,a-comm,a-shared,a-priv",
      "pb|member,reader|?visibility=community|null-comm,b-comm,a-comm",
      "pb|member,reader|?visibility=shared|a-shared",
      "pb|member,reader|?visibility=private|b-priv",
      "pb|member,reader|?visibility=public|a-pub",
      "pb|member,reader|?visibility=all|null-comm,b-comm,b-priv,a-pub,a-comm,a-shared",
      "pz|member,reader|?visibility=all|null-comm,b-comm,a-pub,a-comm",
      "pa|member,reader|?visibility=shared|a-shared",
      // member_status selects which memberships list a shared image
      "pc|member,reader|?member_status=pending|a-pub,a-shared",
      "pc|member,reader|?member_status=rejected|a-pub",
      "pc|member,reader|?member_status=all|a-pub,a-shared",
      "pc|member,reader|?member_status=accepted|a-pub",
      "pd|member,reader|?member_status=rejected&visibility=shared|a-shared",
      "pd|member,reader|?member_status=pending&visibility=shared|",
      "pd|member,reader|?member_status=all&visibility=shared|a-shared",
      "pb|member,reader|?member_status=pending|b-comm,b-priv,a-pub",
      "padmin|admin|?visibility=all|null-comm,null-own,adm-priv,b-comm,b-priv,a-pub,a-comm,a-shared,a-priv",
      "padmin|admin|?visibility=community|null-comm,b-comm,a-comm",
      // member_status does not restrict an admin
      "padmin|admin|?visibility=shared&member_status=pending|a-shared",
      // os_hidden: only hidden ones, still subject to visibility
      "padmin|admin|?os_hidden=true|b-hidden",
      "pb|member,reader|?os_hidden=TRUE|b-hidden",
      "pa|member,reader|?os_hidden=true|",
      "pa|member,reader|?os_hidden=false|a-pub,a-comm,a-shared,a-priv",
      // deleted and killed images are never listed
      "padmin|admin|?status=killed|",
      "padmin|admin|?name=a-deleted&deleted=true|",
      "pa|member,reader|?name=in:a-killed,a-deleted|"})
  void listsWhatGlanceLists(String project, String roles, String query, String expected) {
    assertThat(names(project, roles, query == null ? "" : query))
        .containsExactlyElementsOf(expected == null ? List.of() : List.of(expected.split(",")));
  }

  @Test
  void aMarkerIsAcceptedWhenTheCallerCanReadItEvenIfItIsNotListed() {
    String shared = idOf("a-shared");
    String nullOwned = idOf("null-own");
    String foreignPrivate = idOf("b-priv");
    Http pc = server.http().as("pc", USER);
    // a pending member may read the image by id (spec §4.12), so it is a valid marker (ERRATA 2)
    pc.get("/v2/images?marker=" + shared).expect(200);
    // owner-less images are readable by everyone
    pc.get("/v2/images?marker=" + nullOwned).expect(200);
    Http.assertGlanceError(pc.get("/v2/images?marker=" + foreignPrivate), 403);
    // a member who rejected the image can still read it
    server.http().as("pd", USER).get("/v2/images?marker=" + shared).expect(200);
    Http.assertGlanceError(server.http().as("pz", USER).get("/v2/images?marker=" + shared), 403);
  }

  private static String idOf(String name) {
    return server.http().get("/v2/images?visibility=all&name=" + name).expect(200).json().getJsonArray("images")
        .getJsonObject(0).getString("id");
  }

  @Test
  void aDefaultCallerWithoutHeadersIsTheAdminOfProjectAdmin() {
    List<String> names = server.http().get("/v2/images").expect(200).json().getJsonArray("images").stream()
        .map(o -> ((JsonObject) o).getString("name")).toList();
    assertThat(names).containsExactly("null-own", "adm-priv", "b-priv", "a-pub", "a-shared", "a-priv");
  }

  @Test
  void everyListedImageIsRenderedAsItsOwnShowResponse() {
    Http pb = server.http().as("pb", USER);
    for (Object o : pb.get("/v2/images?visibility=all").expect(200).json().getJsonArray("images")) {
      JsonObject listed = (JsonObject) o;
      assertThat(listed).isEqualTo(pb.get("/v2/images/" + listed.getString("id")).expect(200).json());
    }
  }
}
