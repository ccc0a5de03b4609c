package io.imago.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.config.ConfigException;
import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import io.imago.domain.PropertyAccess;
import io.imago.domain.PropertyAccess.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Property protection files (spec/security.md §2.1, §2.3): matching, both formats, and every invalid case. */
class PropertyProtectionsTest {
  private static final Policy DEFAULTS = new DefaultPolicy(new PolicyConfig(true));

  private static final String ROLES = """
      # billing codes: admins write, members read
      [^x_billing_.*]
      create = admin
      read = Admin, member
      update = admin
      delete = admin

      ; an empty value is nobody
      [^x_frozen$]
      create = @
      read = @
      update =
      delete = !

      [_owner]
      create = member
      read = @
      update = member
      delete = member

      [^x_service_]
      create = service
      read = service
      update = service
      delete = service

      [.*]
      create = @
      read = @
      update = @
      delete = @
      """;

  @TempDir
  Path dir;

  private static PropertyAccess access(PropertyProtections p, String... roles) {
    return access(p, Set.of(), roles);
  }

  private static PropertyAccess access(PropertyProtections p, Set<String> serviceRoles, String... roles) {
    Set<String> r = Set.of(roles);
    return p.forCaller(new Caller("u", "p1", r, DEFAULTS.isAdmin(r, "p1"), false, "req-t", null, null,
        serviceRoles));
  }

  @Test
  void rolesFormatFirstMatchingSectionInFileOrderDecides() {
    PropertyProtections p = PropertyProtections.parse(ROLES, "t.conf", "roles", DEFAULTS);
    PropertyAccess admin = access(p, "admin");
    PropertyAccess member = access(p, "member", "reader");
    PropertyAccess reader = access(p, "reader");
    assertThat(admin.allows("x_billing_code", Op.UPDATE)).isTrue();
    assertThat(member.allows("x_billing_code", Op.READ)).isTrue(); // "Admin, member": trimmed, any case
    assertThat(member.allows("x_billing_code", Op.CREATE)).isFalse();
    assertThat(reader.allows("x_billing_code", Op.READ)).isFalse();
    // anchored with ^: not a billing property, so the catch-all applies
    assertThat(reader.allows("my_x_billing_code", Op.UPDATE)).isTrue();
    // search semantics: "_owner" anywhere in the name
    assertThat(member.allows("image_owner_id", Op.CREATE)).isTrue();
    assertThat(reader.allows("image_owner_id", Op.CREATE)).isFalse();
    assertThat(reader.allows("image_owner_id", Op.READ)).isTrue();
    // empty value and "!" are nobody, even for admins
    assertThat(admin.allows("x_frozen", Op.UPDATE)).isFalse();
    assertThat(admin.allows("x_frozen", Op.DELETE)).isFalse();
    assertThat(reader.allows("x_frozen", Op.CREATE)).isTrue();
    // Glance's own properties are never protected
    assertThat(reader.allows("os_glance_import_task", Op.DELETE)).isTrue();
  }

  @Test
  void rolesAreMatchedCaseInsensitivelyAndServiceRolesCount() {
    PropertyProtections p = PropertyProtections.parse(ROLES, "t.conf", "roles", DEFAULTS);
    assertThat(access(p, "ADMIN").allows("x_billing_code", Op.CREATE)).isTrue();
    assertThat(access(p, "member").allows("x_service_id", Op.READ)).isFalse();
    assertThat(access(p, Set.of("service"), "member").allows("x_service_id", Op.READ)).isTrue();
  }

  @Test
  void aPropertyNoSectionMatchesIsDeniedEverything() {
    PropertyProtections p = PropertyProtections.parse("""
        [^a_]
        create = @
        read = @
        update = @
        delete = @
        """, "t.conf", "roles", DEFAULTS);
    PropertyAccess admin = access(p, "admin");
    assertThat(admin.allows("a_x", Op.CREATE)).isTrue();
    for (Op op : Op.values()) {
      assertThat(admin.allows("b_x", op)).isFalse();
    }
  }

  @Test
  void noFileAndAFileWithoutSectionsProtectNothing() {
    assertThat(PropertyProtections.NONE.forCaller(new Caller("u", "p", Set.of(), false, false, "r"))
        .allows("x", Op.DELETE)).isTrue();
    PropertyProtections empty = PropertyProtections.parse("# nothing yet\n", "t.conf", "roles", DEFAULTS);
    assertThat(access(empty).allows("x", Op.DELETE)).isTrue();
  }

  @Test
  void theDefaultSectionFillsInMissingOperations() {
    PropertyProtections p = PropertyProtections.parse("""
        [DEFAULT]
        update = admin
        delete = admin

        [^x_]
        create = member
        read = @
        """, "t.conf", "roles", DEFAULTS);
    assertThat(access(p, "member").allows("x_a", Op.CREATE)).isTrue();
    assertThat(access(p, "member").allows("x_a", Op.UPDATE)).isFalse();
    assertThat(access(p, "admin").allows("x_a", Op.DELETE)).isTrue();
    // DEFAULT is not itself a section: "DEFAULT" as a regex would match nothing here anyway
    assertThat(access(p, "admin").allows("y", Op.READ)).isFalse();
  }

  @Test
  void policiesFormatEvaluatesTheNamedRuleWithAnEmptyTarget() {
    RulePolicy policy = RulePolicy.of(new PolicyConfig(true), Map.of(
        "billing_admin", CheckParser.parse("role:admin"),
        "billing_reader", CheckParser.parse("role:admin or role:member"),
        // the target is empty: a rule needing a target attribute fails
        "owner_only", CheckParser.parse("project_id:%(project_id)s")), "t");
    PropertyProtections p = PropertyProtections.parse("""
        [^x_billing_]
        create = billing_admin
        read = billing_reader
        update = owner_only
        delete = no_such_rule

        [.*]
        create = @
        read = @
        update = @
        delete = !
        """, "t.conf", "policies", policy);
    Set<String> member = Set.of("member");
    PropertyAccess m = p.forCaller(new Caller("u", "p1", member, policy.isAdmin(member, "p1"), false, "r"));
    Set<String> adminRoles = Set.of("admin");
    PropertyAccess a = p.forCaller(new Caller("u", "p1", adminRoles, policy.isAdmin(adminRoles, "p1"), false, "r"));
    assertThat(m.allows("x_billing_code", Op.READ)).isTrue();
    assertThat(m.allows("x_billing_code", Op.CREATE)).isFalse();
    assertThat(a.allows("x_billing_code", Op.CREATE)).isTrue();
    assertThat(a.allows("x_billing_code", Op.UPDATE)).isFalse();
    // a rule that does not exist is the default rule ("" in Glance): the reference Glance lets
    // everyone through such a protection, and so do we
    assertThat(m.allows("x_billing_code", Op.DELETE)).isTrue();
    assertThat(m.allows("other", Op.UPDATE)).isTrue();
    assertThat(a.allows("other", Op.DELETE)).isFalse();
  }

  static Stream<Arguments> invalidFiles() {
    String four = "create = @\nread = @\nupdate = @\ndelete = @\n";
    return Stream.of(
        Arguments.of("roles", "[^x_(]\n" + four, "section [^x_(]: not a valid regular expression"),
        Arguments.of("roles", "[^x_]\ncreate = @\nread = @\nupdate = @\n", "section [^x_]: 'delete' is missing"),
        Arguments.of("roles", "[^x_]\ncreate = admin\nread = @,!\nupdate = @\ndelete = @\n",
            "section [^x_]: 'read' combines '@' and '!'"),
        Arguments.of("policies", "[^x_]\ncreate = a,b\nread = @\nupdate = @\ndelete = @\n",
            "section [^x_]: 'create' lists several rules"),
        Arguments.of("roles", "create = @\n[^x_]\n" + four, "line 1: no [section] header"),
        Arguments.of("roles", "[^x_]\ncreate admin\n", "line 2: expected name = value"),
        Arguments.of("roles", "[^x_]\n" + four + "[^x_]\n" + four, "section [^x_] appears twice"),
        Arguments.of("roles", "[^x_]\n" + four + "read = admin\n", "'read' appears twice"));
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("invalidFiles")
  void invalidFilesStopTheStart(String format, String text, String message) throws Exception {
    Path f = dir.resolve("protections.conf");
    Files.writeString(f, text);
    PolicyConfig config = new PolicyConfig(true, true, null, f, format);
    assertThatThrownBy(() -> PropertyProtections.load(config, DEFAULTS)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("property protection file " + f).hasMessageContaining(message);
  }

  @Test
  void aMissingFileStopsTheStart() {
    Path f = dir.resolve("missing.conf");
    assertThatThrownBy(() -> PropertyProtections.load(new PolicyConfig(true, true, null, f, "roles"), DEFAULTS))
        .isInstanceOf(ConfigException.class).hasMessageContaining("property protection file not found: " + f);
  }

  @Test
  void anUnknownFormatIsAConfigError() {
    assertThatThrownBy(() -> new PolicyConfig(true, true, null, null, "acl"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("expected: roles or policies");
  }
}
