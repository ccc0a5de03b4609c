package io.imago.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.domain.ImagePatch.Dialect;
import io.imago.domain.ImagePatch.Op;
import io.imago.domain.ImagePatch.Operation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Parsing and applying Glance's PATCH dialects (spec/images-api.md §4.4), without a server. */
class ImagePatchTest {
  private static final ImageSchema SCHEMA = new ImageSchema(List.of("raw", "qcow2"), List.of("bare", "ovf"));

  // ---------------------------------------------------------------------------------------------
  // parsing

  @Test
  void v21OperationsParseWithDecodedPaths() {
    ImagePatch p = parse(Dialect.V2_1, op("add", "/a~1b~0c", "x"), op("replace", "/name", null),
        Map.of("op", "remove", "path", "/foo"));
    assertThat(p.operations()).containsExactly(
        new Operation(Op.ADD, List.of("a/b~c"), "x"),
        new Operation(Op.REPLACE, List.of("name"), null),
        new Operation(Op.REMOVE, List.of("foo"), null));
  }

  @Test
  void v20OperationsNameTheOpAsKey() {
    ImagePatch p = parse(Dialect.V2_0, Map.of("replace", "/name", "value", "n"), Map.of("remove", "/foo"));
    assertThat(p.operations()).containsExactly(new Operation(Op.REPLACE, List.of("name"), "n"),
        new Operation(Op.REMOVE, List.of("foo"), null));
  }

  @Test
  void v20NeedsExactlyOneOpKey() {
    badRequest(Dialect.V2_0, Map.of("replace", "/name", "remove", "/foo", "value", "x"));
    badRequest(Dialect.V2_0, Map.of("op", "replace", "path", "/name", "value", "x"));
  }

  @Test
  void bodyMustBeAnArrayOfObjects() {
    assertThatThrownBy(() -> ImagePatch.parse(Map.of(), Dialect.V2_1, SCHEMA)).satisfies(e -> kind(e,
        ErrorKind.BAD_REQUEST));
    badRequest(Dialect.V2_1, "not an object");
    assertThat(ImagePatch.parse(List.of(), Dialect.V2_1, SCHEMA).isEmpty()).isTrue();
  }

  @Test
  void missingOrUnknownOpPathOrValueIs400() {
    badRequest(Dialect.V2_1, Map.of("path", "/name", "value", "x"));
    badRequest(Dialect.V2_1, Map.of("op", "test", "path", "/name", "value", "x"));
    badRequest(Dialect.V2_1, Map.of("op", "move", "path", "/name", "value", "x"));
    badRequest(Dialect.V2_1, Map.of("op", 5, "path", "/name", "value", "x"));
    badRequest(Dialect.V2_1, Map.of("op", "add", "value", "x"));
    badRequest(Dialect.V2_1, Map.of("op", "add", "path", 5, "value", "x"));
    badRequest(Dialect.V2_1, Map.of("op", "add", "path", "/name"));
  }

  @Test
  void pointerRules() {
    for (String bad : List.of("name", "//name", "/", "/ ", "/a//b", "/a/ /b", "/name/", "/a~2", "/a~", "/tags/-",
        "/a/b", "/locations", "/locations/0/x")) {
      assertThatThrownBy(() -> parse(Dialect.V2_1, op("add", bad, "x"))).as(bad)
          .satisfies(e -> kind(e, ErrorKind.BAD_REQUEST));
    }
    assertThat(parse(Dialect.V2_1, op("add", "/ spaced ", "x")).operations().get(0).path())
        .containsExactly("spaced");
    assertThat(parse(Dialect.V2_1, op("add", "/~01", "x")).operations().get(0).path()).containsExactly("~1");
  }

  @Property
  void escapedNamesRoundTrip(@ForAll @StringLength(min = 1, max = 20) @AlphaChars @Chars({'~', '/', '_'})
      String name) {
    String custom = "x_" + name;
    String pointer = "/" + custom.replace("~", "~0").replace("/", "~1");
    ImagePatch p = parse(Dialect.V2_1, op("add", pointer, "v"));
    assertThat(p.operations().get(0).path()).containsExactly(custom);
  }

  @Test
  void locationPathsHaveTheirOwnDepth() {
    assertThat(parse(Dialect.V2_1, op("add", "/locations/-", location("http://x"))).operations()).hasSize(1);
    assertThat(parse(Dialect.V2_1, Map.of("op", "remove", "path", "/locations/0")).operations()).hasSize(1);
    assertThat(parse(Dialect.V2_1, op("replace", "/locations", List.of(location("http://x")))).operations())
        .hasSize(1);
    badRequest(Dialect.V2_1, op("replace", "/locations/0", location("http://x")));
    badRequest(Dialect.V2_1, op("add", "/locations/-", List.of(location("http://x"))));
    badRequest(Dialect.V2_1, op("replace", "/locations", "x"));
  }

  @Test
  void readOnlyAndReservedNamesAre403EvenForRemove() {
    for (String name : List.of("status", "id", "created_at", "updated_at", "checksum", "size", "virtual_size",
        "direct_url", "self", "file", "schema", "os_hash_algo", "os_hash_value", "location", "deleted",
        "deleted_at", "os_glance_foo", "os_glancefoo")) {
      for (Map<String, Object> change : List.of(op("replace", "/" + name, "x"), op("add", "/" + name, "x"),
          Map.<String, Object>of("op", "remove", "path", "/" + name))) {
        assertThatThrownBy(() -> parse(Dialect.V2_1, change)).as(change.toString())
            .satisfies(e -> kind(e, ErrorKind.FORBIDDEN));
      }
    }
  }

  @Test
  void storesIsReadOnlyForAddButACustomNameOtherwise() {
    assertThatThrownBy(() -> parse(Dialect.V2_1, op("add", "/stores", "x")))
        .satisfies(e -> kind(e, ErrorKind.FORBIDDEN));
    assertThat(parse(Dialect.V2_1, op("replace", "/stores", "x")).operations()).hasSize(1);
  }

  @Test
  void valuesAreCheckedAgainstTheSchema() {
    badRequest(Dialect.V2_1, op("replace", "/name", 5));
    badRequest(Dialect.V2_1, op("replace", "/name", "n".repeat(256)));
    badRequest(Dialect.V2_1, op("replace", "/visibility", "bogus"));
    badRequest(Dialect.V2_1, op("replace", "/protected", "true"));
    badRequest(Dialect.V2_1, op("replace", "/disk_format", "vmdk"));
    badRequest(Dialect.V2_1, op("replace", "/min_ram", "1"));
    badRequest(Dialect.V2_1, op("replace", "/min_ram", 1.5));
    badRequest(Dialect.V2_1, op("replace", "/tags", "a"));
    badRequest(Dialect.V2_1, op("replace", "/tags", List.of(1)));
    badRequest(Dialect.V2_1, op("add", "/foo", null));
    badRequest(Dialect.V2_1, op("add", "/foo", 5));
    badRequest(Dialect.V2_1, op("add", "/kernel_id", "not-a-uuid"));
    badRequest(Dialect.V2_1, op("add", "/cinder_encryption_key_deletion_policy", "never"));
    badRequest(Dialect.V2_1, op("add", "/" + "k".repeat(256), "x"));
    assertThat(parse(Dialect.V2_1, op("add", "/kernel_id", null), op("replace", "/disk_format", null),
        op("add", "/min_ram", 1.0), op("add", "/" + "k".repeat(255), "x")).operations()).hasSize(4);
  }

  @Test
  void parsingStopsAtTheFirstBadOperation() {
    // Glance validates operation by operation: a bad value before a read-only name is a 400.
    assertThatThrownBy(() -> parse(Dialect.V2_1, op("replace", "/name", 5), op("replace", "/status", "active")))
        .satisfies(e -> kind(e, ErrorKind.BAD_REQUEST));
    assertThatThrownBy(() -> parse(Dialect.V2_1, op("replace", "/status", "active"), op("replace", "/name", 5)))
        .satisfies(e -> kind(e, ErrorKind.FORBIDDEN));
  }

  // ---------------------------------------------------------------------------------------------
  // applying

  @Test
  void addReplaceRemoveOnBaseAndCustomProperties() {
    Image image = image(ImageStatus.QUEUED, Map.of("foo", "bar", "gone", "x"));
    Image out = apply(image, new Ctx(), Dialect.V2_1, op("add", "/name", "n"), op("replace", "/foo", "baz"),
        op("add", "/new", "v"), Map.of("op", "remove", "path", "/gone"), op("add", "/foo", "qux"),
        op("replace", "/tags", List.of("b", "a", "b")), op("replace", "/min_ram", 512),
        op("replace", "/visibility", "private"), op("replace", "/disk_format", "qcow2"),
        op("replace", "/protected", true));
    assertThat(out.name()).isEqualTo("n");
    assertThat(out.properties()).containsExactlyInAnyOrderEntriesOf(Map.of("foo", "qux", "new", "v"));
    assertThat(out.tags()).containsExactly("b", "a");
    assertThat(out.minRam()).isEqualTo(512);
    assertThat(out.visibility()).isEqualTo(Visibility.PRIVATE);
    assertThat(out.diskFormat()).isEqualTo("qcow2");
    assertThat(out.isProtected()).isTrue();
    assertThat(out.revision()).as("written conditionally on the revision read").isEqualTo(image.revision());
  }

  @Test
  void semanticsErrors() {
    Image image = image(ImageStatus.QUEUED, Map.of("foo", "bar"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.CONFLICT, op("replace", "/missing", "x"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.CONFLICT, Map.of("op", "remove", "path", "/missing"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.FORBIDDEN, Map.of("op", "remove", "path", "/name"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.FORBIDDEN, Map.of("op", "remove", "path", "/tags"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.BAD_REQUEST, op("replace", "/min_disk", -1));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.BAD_REQUEST, op("replace", "/min_disk", 3_000_000_000L));
    fails(image, new Ctx(), Dialect.V2_0, ErrorKind.CONFLICT, Map.of("add", "/foo", "value", "x"));
    fails(image, new Ctx(), Dialect.V2_0, ErrorKind.CONFLICT, Map.of("add", "/name", "value", "x"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.BAD_REQUEST, op("add", "/emoji", "\uD83D\uDE00"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.BAD_REQUEST, op("add", "/\uD83D\uDE00", "x"));
    assertThat(apply(image, new Ctx(), Dialect.V2_0, Map.of("add", "/new", "value", "x")).properties())
        .containsEntry("new", "x");
  }

  @Test
  void formatsChangeOnlyBeforeThereIsData() {
    for (ImageStatus s : ImageStatus.values()) {
      Image image = image(s, Map.of());
      Map<String, Object> change = op("replace", "/container_format", "ovf");
      if (s == ImageStatus.QUEUED || s == ImageStatus.IMPORTING) {
        assertThat(apply(image, new Ctx(), Dialect.V2_1, change).containerFormat()).isEqualTo("ovf");
      } else {
        fails(image, new Ctx(), Dialect.V2_1, ErrorKind.FORBIDDEN, change);
      }
    }
    // ordinary properties stay editable, e.g. on a deactivated image
    assertThat(apply(image(ImageStatus.DEACTIVATED, Map.of()), new Ctx(), Dialect.V2_1, op("add", "/name", "d"))
        .name()).isEqualTo("d");
  }

  @Test
  void ownerIsAnAdminMatter() {
    Image image = image(ImageStatus.QUEUED, Map.of());
    Ctx user = new Ctx();
    user.admin = false;
    fails(image, user, Dialect.V2_1, ErrorKind.FORBIDDEN, op("replace", "/owner", "p1"));
    fails(image, user, Dialect.V2_1, ErrorKind.FORBIDDEN, op("add", "/owner", "other"));
    assertThat(apply(image, user, Dialect.V2_1, op("add", "/owner", "p1")).owner()).isEqualTo("p1");
    assertThat(apply(image, new Ctx(), Dialect.V2_1, op("replace", "/owner", "other")).owner()).isEqualTo("other");
  }

  @Test
  void policiesAreAskedPerOperation() {
    Image image = image(ImageStatus.QUEUED, Map.of("foo", "bar"));
    Ctx ctx = new Ctx();
    apply(image, ctx, Dialect.V2_1, op("replace", "/visibility", "public"), op("replace", "/visibility", "community"),
        op("replace", "/visibility", "shared"), Map.of("op", "remove", "path", "/foo"));
    assertThat(ctx.asked).containsExactly("publicize_image", "modify_image", "communitize_image", "modify_image",
        "modify_image", "modify_image");

    Ctx denied = new Ctx();
    denied.denied.add("publicize_image");
    fails(image, denied, Dialect.V2_1, ErrorKind.FORBIDDEN, op("replace", "/visibility", "public"));
    Ctx readOnly = new Ctx();
    readOnly.denied.add("modify_image");
    fails(image, readOnly, Dialect.V2_1, ErrorKind.FORBIDDEN, op("replace", "/missing", "x"));
  }

  @Test
  void propertyQuotaCountsOnlyWhenKeysAreAdded() {
    Map<String, String> three = Map.of("a", "1", "b", "2", "c", "3");
    Ctx quota2 = new Ctx();
    quota2.limits = new ImagePatch.Limits(2, 128, 10, false);
    Image over = image(ImageStatus.QUEUED, three);
    // already over a lowered quota: editing and removing still work, adding does not
    assertThat(apply(over, quota2, Dialect.V2_1, op("replace", "/a", "x")).properties()).containsEntry("a", "x");
    fails(over, quota2, Dialect.V2_1, ErrorKind.TOO_LARGE, op("add", "/d", "4"));
    // adding one while removing another keeps the count
    Image two = image(ImageStatus.QUEUED, Map.of("a", "1", "b", "2"));
    assertThat(apply(two, quota2, Dialect.V2_1, Map.of("op", "remove", "path", "/a"), op("add", "/z", "9"))
        .properties()).containsOnlyKeys("b", "z");
    fails(two, quota2, Dialect.V2_1, ErrorKind.TOO_LARGE, op("add", "/z", "9"));
    Ctx tags1 = new Ctx();
    tags1.limits = new ImagePatch.Limits(128, 1, 10, false);
    fails(two, tags1, Dialect.V2_1, ErrorKind.TOO_LARGE, op("replace", "/tags", List.of("a", "b")));
    assertThat(apply(two, tags1, Dialect.V2_1, op("replace", "/tags", List.of("a", "a"))).tags()).containsExactly("a");
  }

  @Test
  void locationOperations() {
    Location loc = new Location("file", "k1", Map.of());
    Image active = image(ImageStatus.ACTIVE, Map.of()).toBuilder().build();
    Image.Builder b = active.toBuilder();
    b.locations = List.of(loc);
    active = b.build();
    Ctx hidden = new Ctx();
    fails(active, hidden, Dialect.V2_1, ErrorKind.FORBIDDEN, op("add", "/locations/-", location("http://x")));
    fails(active, hidden, Dialect.V2_1, ErrorKind.FORBIDDEN, Map.of("op", "remove", "path", "/locations/0"));
    fails(active, hidden, Dialect.V2_1, ErrorKind.FORBIDDEN, op("replace", "/locations", List.of()));

    Ctx shown = new Ctx();
    shown.limits = new ImagePatch.Limits(128, 128, 10, true);
    fails(active, shown, Dialect.V2_1, ErrorKind.FORBIDDEN, Map.of("op", "remove", "path", "/locations/0"));
    fails(active, shown, Dialect.V2_1, ErrorKind.BAD_REQUEST,
        op("add", "/locations/-", location("file:///etc/passwd")));
    fails(active, shown, Dialect.V2_1, ErrorKind.BAD_REQUEST, op("add", "/locations/x", location("http://x")));
    fails(active, shown, Dialect.V2_1, ErrorKind.BAD_REQUEST,
        op("replace", "/locations", List.of(location("http://elsewhere"))));
    Image same = apply(active, shown, Dialect.V2_1, op("replace", "/locations", List.of(location("file:///k1"))));
    assertThat(same.locations()).containsExactly(loc);
    fails(image(ImageStatus.DEACTIVATED, Map.of()), shown, Dialect.V2_1, ErrorKind.CONFLICT,
        op("add", "/locations/-", location("http://x")));

    Image.Builder two = active.toBuilder();
    Location loc2 = new Location("file", "k2", Map.of());
    two.locations = List.of(loc, loc2);
    ImagePatch.Result r = ImagePatch.parse(List.of(Map.of("op", "remove", "path", "/locations/0")), Dialect.V2_1,
        SCHEMA).apply(two.build(), shown);
    assertThat(r.image().locations()).containsExactly(loc2);
    assertThat(r.dropped()).containsExactly(loc);
    fails(two.build(), shown, Dialect.V2_1, ErrorKind.BAD_REQUEST, Map.of("op", "remove", "path", "/locations/2"));
    Ctx noDelete = new Ctx();
    noDelete.limits = shown.limits;
    noDelete.denied.add("delete_image_location");
    fails(two.build(), noDelete, Dialect.V2_1, ErrorKind.FORBIDDEN, Map.of("op", "remove", "path", "/locations/0"));
  }

  @Test
  void aFailingOperationLeavesTheInputImageUntouched() {
    Image image = image(ImageStatus.QUEUED, Map.of("foo", "bar"));
    fails(image, new Ctx(), Dialect.V2_1, ErrorKind.CONFLICT, op("replace", "/foo", "changed"),
        op("add", "/name", "changed"), op("replace", "/missing", "x"));
    assertThat(image.properties()).containsEntry("foo", "bar");
    assertThat(image.name()).isNull();
  }

  // ---------------------------------------------------------------------------------------------

  /** A context whose policy answers are a deny list, and which records what it was asked. */
  static final class Ctx implements ImagePatch.Context {
    boolean admin = true;
    final Set<String> denied = new java.util.HashSet<>();
    final List<String> asked = new ArrayList<>();
    ImagePatch.Limits limits = new ImagePatch.Limits(128, 128, 10, false);

    private void check(String rule) {
      asked.add(rule);
      if (denied.contains(rule)) {
        throw ImagoException.forbidden("denied: %s", rule);
      }
    }

    @Override
    public boolean admin() {
      return admin;
    }

    @Override
    public void requireModify() {
      check("modify_image");
    }

    @Override
    public void requireVisibility(Visibility visibility) {
      if (visibility == Visibility.PUBLIC) {
        check("publicize_image");
      } else if (visibility == Visibility.COMMUNITY) {
        check("communitize_image");
      }
    }

    @Override
    public void requireSetLocations() {
      check("set_image_location");
    }

    @Override
    public void requireDeleteLocations() {
      check("delete_image_location");
    }

    @Override
    public String url(Location location) {
      return location.store() + ":///" + location.key();
    }

    @Override
    public ImagePatch.Limits limits() {
      return limits;
    }
  }

  private static Image image(ImageStatus status, Map<String, String> props) {
    Image.Builder b = Image.queued("9739be2a-4015-4c8f-8b4c-37a74cee49c3", "p1", Instant.EPOCH).toBuilder();
    b.status = status;
    b.properties = new java.util.TreeMap<>(props);
    b.revision = 7;
    return b.build();
  }

  @SafeVarargs
  private static Image apply(Image image, Ctx ctx, Dialect d, Map<String, Object>... changes) {
    return ImagePatch.parse(List.of((Object[]) changes), d, SCHEMA).apply(image, ctx).image();
  }

  @SafeVarargs
  private static void fails(Image image, Ctx ctx, Dialect d, ErrorKind kind, Map<String, Object>... changes) {
    assertThatThrownBy(() -> apply(image, ctx, d, changes)).as(Arrays.toString(changes))
        .satisfies(e -> kind(e, kind));
  }

  private static ImagePatch parse(Dialect d, Object... changes) {
    return ImagePatch.parse(Arrays.asList(changes), d, SCHEMA);
  }

  private static void badRequest(Dialect d, Object... changes) {
    assertThatThrownBy(() -> parse(d, changes)).as(Arrays.toString(changes))
        .satisfies(e -> kind(e, ErrorKind.BAD_REQUEST));
  }

  private static void kind(Throwable e, ErrorKind kind) {
    assertThat(e).isInstanceOf(ImagoException.class);
    assertThat(((ImagoException) e).kind()).as(e.getMessage()).isEqualTo(kind);
  }

  private static Map<String, Object> op(String op, String path, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", op);
    m.put("path", path);
    m.put("value", value);
    return m;
  }

  private static Map<String, Object> location(String url) {
    Map<String, Object> m = new HashMap<>();
    m.put("url", url);
    m.put("metadata", Map.of());
    return m;
  }
}
