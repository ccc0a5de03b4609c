package io.imago.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import io.imago.domain.metadef.Namespace;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Glance's metadef policy defaults (spec/metadefs.md §7) in both modes, and a policy file overriding them. */
class MetadefPolicyTest {
  private static Caller caller(String project, String... roles) {
    return new Caller("u", project, Set.of(roles), Arrays.asList(roles).contains("admin"), false, "req-1");
  }

  private static final Namespace PRIVATE = new Namespace(1, "n", null, null, "private", false, "p1", null, null);
  private static final Namespace PUBLIC = new Namespace(2, "m", null, null, "public", false, "p1", null, null);

  private static RulePolicy policy(boolean newDefaults, Map<String, String> overrides) {
    Map<String, Check> parsed = new java.util.HashMap<>();
    overrides.forEach((k, v) -> {
      try {
        parsed.put(k, CheckParser.parse(v));
      } catch (RuleSyntaxException e) {
        throw new IllegalArgumentException(e);
      }
    });
    return RulePolicy.of(new PolicyConfig(newDefaults, false, null, null, "roles"), parsed, "test");
  }

  @Test
  void secureRbacReadsNeedReaderAndOwnershipOrPublic() {
    RulePolicy p = policy(true, Map.of());
    assertThat(p.allows(Action.GET_METADEF_NAMESPACE, caller("p1", "reader"), Targets.namespace(PRIVATE))).isTrue();
    assertThat(p.allows(Action.GET_METADEF_NAMESPACE, caller("p2", "reader"), Targets.namespace(PRIVATE))).isFalse();
    assertThat(p.allows(Action.GET_METADEF_NAMESPACE, caller("p2", "reader"), Targets.namespace(PUBLIC))).isTrue();
    assertThat(p.allows(Action.GET_METADEF_TAGS, caller("p1", "member"), Targets.namespace(PRIVATE))).isFalse();
    assertThat(p.allows(Action.GET_METADEF_NAMESPACES, caller("p1", "reader"), Map.of("project_id", "p1"))).isTrue();
    assertThat(p.allows(Action.GET_METADEF_NAMESPACES, caller("p1"), Map.of("project_id", "p1"))).isFalse();
  }

  @Test
  void writesAreAdminOnlyInBothModes() {
    for (boolean mode : new boolean[] {true, false}) {
      RulePolicy p = policy(mode, Map.of());
      for (Action a : new Action[] {Action.ADD_METADEF_NAMESPACE, Action.MODIFY_METADEF_NAMESPACE,
          Action.DELETE_METADEF_NAMESPACE, Action.ADD_METADEF_OBJECT, Action.ADD_METADEF_PROPERTY,
          Action.ADD_METADEF_TAG, Action.ADD_METADEF_TAGS, Action.DELETE_METADEF_TAGS,
          Action.ADD_METADEF_RESOURCE_TYPE_ASSOCIATION, Action.REMOVE_METADEF_RESOURCE_TYPE_ASSOCIATION}) {
        assertThat(p.allows(a, caller("p1", "member", "reader"), Targets.namespace(PRIVATE))).as("%s %s", mode, a)
            .isFalse();
        assertThat(p.allows(a, caller("px", "admin"), Targets.namespace(PRIVATE))).as("%s %s", mode, a).isTrue();
      }
    }
  }

  @Test
  void legacyReadsAreOpen() {
    RulePolicy p = policy(false, Map.of());
    assertThat(p.allows(Action.GET_METADEF_NAMESPACE, caller("p2"), Targets.namespace(PRIVATE))).isTrue();
    assertThat(p.allows(Action.GET_METADEF_NAMESPACES, caller("p2"), Map.of())).isTrue();
  }

  @Test
  void aPolicyFileOverridesMetadefRules() {
    RulePolicy p = policy(true, Map.of("metadef_admin", "role:admin or role:catalog_editor",
        "get_metadef_namespace", "!"));
    assertThat(p.allows(Action.ADD_METADEF_NAMESPACE, caller("p1", "catalog_editor"), Targets.namespace(PRIVATE)))
        .isTrue();
    assertThat(p.allows(Action.GET_METADEF_NAMESPACE, caller("px", "admin"), Targets.namespace(PUBLIC))).isFalse();
  }
}
