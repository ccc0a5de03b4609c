package io.imago.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.config.ConfigException;
import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.Visibility;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy files (spec/security.md §1.1): YAML, JSON and the commented sample format override
 * Glance's defaults by rule name; anything the engine cannot understand stops the start with a
 * message naming the file and the rule. Also what {@link RulePolicy} adds around the rules:
 * {@code enforce_scope} and the legacy API-level owner checks.
 */
class PolicyFileTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  private static RulePolicy load(Path file, boolean newDefaults, boolean enforceScope) {
    return RulePolicy.load(new PolicyConfig(newDefaults, enforceScope, file, null, "roles"));
  }

  private static Caller caller(Policy p, String project, String... roles) {
    Set<String> r = Set.of(roles);
    return new Caller("u-" + project, project, r, p.isAdmin(r, project), false, "req-test");
  }

  private static Map<String, String> imageOf(String owner, Caller caller) {
    Image.Builder b = Image.queued("8d0f5b7e-4c57-4b5b-9a38-6d7b3b0f1c11", owner, Instant.EPOCH).toBuilder();
    b.visibility = Visibility.PRIVATE;
    return Targets.image(b.build(), caller);
  }

  @Test
  void yamlOverridesSomeRulesAndKeepsTheOtherDefaults() throws Exception {
    RulePolicy p = load(write("policy.yaml", """
        # operators' overrides
        "publicize_image": "role:member"
        get_images: "!"
        "image_publisher": "role:publisher"
        context_is_admin: "role:admin or role:cloud_admin"
        """), true, true);
    Caller member = caller(p, "p1", "member", "reader");
    assertThat(p.allows(Action.PUBLICIZE_IMAGE, member, imageOf("p1", member))).isTrue();
    assertThat(p.allows(Action.GET_IMAGES, member, Targets.project(member))).isFalse();
    // untouched rule: still the default
    assertThat(p.allows(Action.GET_IMAGE, member, imageOf("p1", member))).isTrue();
    assertThat(p.allows(Action.COPY_IMAGE, member, imageOf("p1", member))).isFalse();
    assertThat(p.isAdmin(Set.of("cloud_admin"), "p9")).isTrue();
    assertThat(p.isAdmin(Set.of("member"), "p9")).isFalse();
  }

  @Test
  void contextIsAdminMaySeeEveryCredential() throws Exception {
    RulePolicy p = load(write("policy.yaml", """
        context_is_admin: "role:admin or user_id:root or (system_scope:all and role:reader)"
        """), true, false);
    Set<String> none = Set.of();
    assertThat(p.isAdmin(new Caller("root", "p1", none, false, false, "req-t"))).isTrue();
    assertThat(p.isAdmin(new Caller("alice", "p1", none, false, false, "req-t"))).isFalse();
    assertThat(p.isAdmin(new Caller("alice", null, Set.of("reader"), false, false, "req-t", "all", null, none)))
        .isTrue();
    // the roles-and-project form sees no user
    assertThat(p.isAdmin(none, "p1")).isFalse();
    assertThat(p.isAdmin(Set.of("admin"), "p1")).isTrue();
  }

  @Test
  void jsonAndTheOldListSyntaxWork() throws Exception {
    RulePolicy p = load(write("policy.json", """
        {
          "get_images": "role:lister",
          "delete_image": [["role:member", "project_id:%(project_id)s"], ["role:janitor"]]
        }
        """), true, true);
    Caller lister = caller(p, "p1", "lister");
    Caller janitor = caller(p, "p2", "janitor");
    assertThat(p.allows(Action.GET_IMAGES, lister, Targets.project(lister))).isTrue();
    assertThat(p.allows(Action.DELETE_IMAGE, janitor, imageOf("p1", janitor))).isTrue();
    Caller other = caller(p, "p2", "member");
    assertThat(p.allows(Action.DELETE_IMAGE, other, imageOf("p1", other))).isFalse();
  }

  @Test
  void theCommentedSampleIsTheDefaults() throws Exception {
    RulePolicy p = load(write("policy.yaml", """
        # Intended scope(s): project
        #"add_image": "role:admin or (role:member and project_id:%(project_id)s and project_id:%(owner)s)"

        # Intended scope(s): project
        #"get_images": "role:admin or (role:reader and project_id:%(project_id)s)"
        """), true, true);
    Caller reader = caller(p, "p1", "reader");
    assertThat(p.allows(Action.GET_IMAGES, reader, Targets.project(reader))).isTrue();
    assertThat(p.rules().get("get_images")).isEqualTo(CheckParser.parse(PolicyDefaults.checkStrings(true)
        .get("get_images")));
  }

  @Test
  void aMissingFileIsAConfigError() {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> load(missing, true, true)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy file not found: " + missing);
  }

  @Test
  void neitherYamlNorJsonIsAConfigError() throws Exception {
    Path f = write("broken.yaml", "get_images: \"role:admin\nmodify_image: [\n");
    assertThatThrownBy(() -> load(f, true, true)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy file " + f + " is neither valid YAML nor JSON");
    Path list = write("list.yaml", "- get_images\n- role:admin\n");
    assertThatThrownBy(() -> load(list, true, true))
        .hasMessageContaining("expected a mapping of rule names to check strings");
    Path dup = write("dup.json", "{\"get_images\": \"@\", \"get_images\": \"!\"}");
    assertThatThrownBy(() -> load(dup, true, true)).hasMessageContaining("neither valid YAML nor JSON");
  }

  @Test
  void anUnparsableRuleNamesTheFileAndTheRule() throws Exception {
    Path f = write("policy.yaml", "get_images: \"@\"\nmodify_image: \"role:member and\"\n");
    assertThatThrownBy(() -> load(f, true, true)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy file " + f + ": rule \"modify_image\":")
        .hasMessageContaining("ends where a check was expected");
    Path empty = write("empty.yaml", "get_images:\n");
    assertThatThrownBy(() -> load(empty, true, true)).hasMessageContaining("rule \"get_images\": no check string");
    Path bool = write("bool.yaml", "get_images: true\n");
    assertThatThrownBy(() -> load(bool, true, true)).hasMessageContaining("rule \"get_images\": the check string"
        + " must be text");
    Path http = write("http.yaml", "get_images: \"http://pdp.example/check\"\n");
    assertThatThrownBy(() -> load(http, true, true)).hasMessageContaining("remote checks");
  }

  @Test
  void aCycleThroughTheDefaultsIsAConfigError() throws Exception {
    // get_images refers to context_is_admin, which now refers back
    Path f = write("policy.yaml", "context_is_admin: \"role:admin or rule:get_images\"\n");
    assertThatThrownBy(() -> load(f, true, true)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy file " + f).hasMessageContaining("cycle")
        .hasMessageContaining("context_is_admin -> get_images -> context_is_admin");
  }

  @Test
  void legacyOwnerChecksHoldEvenWhenTheFileOpensTheRule() throws Exception {
    Path f = write("policy.yaml", "modify_image: \"\"\nadd_member: \"@\"\n");
    RulePolicy legacy = load(f, false, true);
    RulePolicy srbac = load(f, true, true);
    Caller stranger = caller(legacy, "p2", "member");
    // Glance's API layer (enforce_new_defaults=false): only the owner's project changes an image
    assertThat(legacy.allows(Action.MODIFY_IMAGE, stranger, imageOf("p1", stranger))).isFalse();
    assertThat(legacy.allows(Action.ADD_MEMBER, stranger, imageOf("p1", stranger))).isFalse();
    assertThat(legacy.allows(Action.MODIFY_IMAGE, stranger, imageOf("p2", stranger))).isTrue();
    // with the new defaults the file alone decides
    assertThat(srbac.allows(Action.MODIFY_IMAGE, stranger, imageOf("p1", stranger))).isTrue();
    assertThat(srbac.allows(Action.ADD_MEMBER, stranger, imageOf("p1", stranger))).isTrue();
  }

  @Test
  void systemScopedCallersAreRefusedWhenScopeIsEnforced() {
    RulePolicy scoped = RulePolicy.of(new PolicyConfig(true, true, null, null, "roles"), Map.of(), "t");
    RulePolicy unscoped = RulePolicy.of(new PolicyConfig(true, false, null, null, "roles"), Map.of(), "t");
    Set<String> roles = Set.of("admin", "reader");
    Caller system = new Caller("u", null, roles, scoped.isAdmin(roles, null), false, "req-t", "all", null, Set.of());
    Caller domain = new Caller("u", null, roles, scoped.isAdmin(roles, null), false, "req-t", null, "d1", Set.of());
    Caller project = caller(scoped, "p1", "admin", "reader");
    for (Action a : Action.values()) {
      assertThat(scoped.allows(a, system, imageOf("p1", system))).as("%s for a system-scoped admin", a).isFalse();
      assertThat(scoped.allows(a, domain, imageOf("p1", domain))).as("%s for a domain-scoped admin", a).isFalse();
      assertThat(scoped.allows(a, project, imageOf("p1", project))).as("%s for a project admin", a).isTrue();
      assertThat(unscoped.allows(a, system, imageOf("p1", system))).as("%s unenforced", a).isTrue();
    }
    // context_is_admin itself has no scope: the caller is still an admin, just refused
    assertThat(system.admin()).isTrue();
  }
}
