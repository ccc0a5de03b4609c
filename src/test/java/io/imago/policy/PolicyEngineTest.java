package io.imago.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oslo.policy rule language (spec/security.md §1.1): check strings evaluated over a caller and
 * a target, next to Glance's secure-RBAC defaults (so {@code rule:get_image} etc. resolve).
 *
 * <p>Callers are {@code project:role,role} with optional {@code ;system=all},
 * {@code ;service=role,role} or {@code ;user=u}; a project {@code -} is none. Targets are
 * {@code key=value,key=value} or {@code -} for the empty target. {@code is_admin} is
 * {@code context_is_admin} of the caller, as the auth layer computes it.
 */
class PolicyEngineTest {
  private static final String TABLE = """
      # rule                                         | caller              | target                    | allowed
      # ---- always / never
                                                     | p1:                 | -                         | yes
      @                                              | p1:                 | -                         | yes
      !                                              | px:admin            | -                         | no
      # ---- roles: case-insensitive both ways, formatted from the target
      role:admin                                     | p1:admin            | -                         | yes
      role:ADMIN                                     | p1:admin            | -                         | yes
      role:Member                                    | p1:MEMBER           | -                         | yes
      role:member                                    | p1:reader           | -                         | no
      role:member                                    | p1:                 | -                         | no
      role:%(role)s                                  | p1:member           | role=member               | yes
      role:%(role)s                                  | p1:member           | -                         | no
      # ---- credential equals target attribute; a missing target key fails
      project_id:%(project_id)s                      | p1:                 | project_id=p1             | yes
      project_id:%(project_id)s                      | p2:                 | project_id=p1             | no
      project_id:%(project_id)s                      | p1:                 | owner=p1                  | no
      project_id:%(member_id)s                       | p2:                 | project_id=p1,member_id=p2| yes
      user_id:%(user_id)s                            | p1:;user=u1         | user_id=u1                | yes
      user_id:%(user_id)s                            | p1:;user=u1         | user_id=u2                | no
      project_id:%(owner)s-suffix                    | p1-suffix:          | owner=p1                  | yes
      # ---- credential equals literal
      is_admin:True                                  | p1:admin            | -                         | yes
      is_admin:True                                  | p1:member           | -                         | no
      is_admin:False                                 | p1:member           | -                         | yes
      project_id:p1                                  | p1:                 | -                         | yes
      project_id:p1                                  | p2:                 | -                         | no
      project_id:None                                | -:reader            | -                         | yes
      roles:member                                   | p1:member,reader    | -                         | yes
      system_scope:all                               | -:admin;system=all  | -                         | yes
      system_scope:all                               | p1:admin            | -                         | no
      service_roles:service                          | p1:;service=service | -                         | yes
      no_such_credential:x                           | p1:                 | -                         | no
      # ---- literal equals target attribute
      'public':%(visibility)s                        | p1:                 | visibility=public         | yes
      'public':%(visibility)s                        | p1:                 | visibility=private        | no
      'public':%(visibility)s                        | p1:                 | -                         | no
      "shared":%(visibility)s                        | p1:                 | visibility=shared         | yes
      True:%(protected)s                             | p1:                 | protected=True            | yes
      12:%(min_ram)s                                 | p1:                 | min_ram=12                | yes
      # ---- not / and / or: not > and > or, like oslo.policy
      not role:admin                                 | p1:member           | -                         | yes
      not role:admin                                 | p1:admin            | -                         | no
      role:a or role:b and role:c                    | p1:a                | -                         | yes
      role:a or role:b and role:c                    | p1:b                | -                         | no
      role:a or role:b and role:c                    | p1:b,c              | -                         | yes
      role:a and role:b or role:c                    | p1:c                | -                         | yes
      role:a and role:b or role:c                    | p1:a                | -                         | no
      (role:a or role:b) and role:c                  | p1:a                | -                         | no
      (role:a or role:b) and role:c                  | p1:a,c              | -                         | yes
      not role:a and role:b                          | p1:b                | -                         | yes
      not role:a and role:b                          | p1:a,b              | -                         | no
      not (role:a or role:b)                         | p1:c                | -                         | yes
      not (role:a or role:b)                         | p1:b                | -                         | no
      not not role:a                                 | p1:a                | -                         | yes
      role:a AND role:b                              | p1:a,b              | -                         | yes
      role:a Or role:b                               | p1:b                | -                         | yes
      ((role:a)) and (not (role:b))                  | p1:a                | -                         | yes
      role:x or role:y or role:z or role:a           | p1:a                | -                         | yes
      # ---- rule: references; an unknown rule is the default rule ("" in Glance), as in oslo.policy
      rule:context_is_admin                          | p1:admin            | -                         | yes
      rule:context_is_admin                          | p1:member           | -                         | no
      rule:default                                   | p1:                 | -                         | yes
      rule:service_api                               | p1:service          | -                         | yes
      rule:no_such_rule                              | px:                 | -                         | yes
      not rule:no_such_rule                          | p1:                 | -                         | no
      # ---- Glance's defaults for admin, member and reader of their own and of another project
      rule:get_image                                 | p1:reader           | project_id=p1,visibility=private | yes
      rule:get_image                                 | p2:reader           | project_id=p1,visibility=private | no
      rule:get_image                                 | p2:reader           | project_id=p1,visibility=public  | yes
      rule:get_image                                 | p2:reader           | project_id=p1,visibility=shared,member_id=p2 | yes
      rule:get_image                                 | px:admin            | project_id=p1,visibility=private | yes
      rule:modify_image                              | p1:member           | project_id=p1             | yes
      rule:modify_image                              | p1:reader           | project_id=p1             | no
      rule:modify_image                              | p2:member           | project_id=p1             | no
      rule:modify_image                              | px:admin            | project_id=p1             | yes
      rule:add_image                                 | p1:member           | project_id=p1,owner=p1    | yes
      rule:add_image                                 | p1:member           | project_id=p2,owner=p2    | no
      rule:add_image                                 | p1:reader           | project_id=p1,owner=p1    | no
      rule:publicize_image                           | p1:member           | project_id=p1             | no
      rule:publicize_image                           | px:admin            | project_id=p1             | yes
      rule:download_image                            | p2:member           | project_id=p1,visibility=community | yes
      rule:download_image                            | p2:reader           | project_id=p1,visibility=community | no
      rule:modify_member                             | p2:member           | project_id=p1,member_id=p2 | yes
      rule:modify_member                             | p1:member           | project_id=p1             | no
      rule:stores_info_detail                        | p1:service          | -                         | yes
      """;

  static Stream<Arguments> rows() {
    List<Arguments> rows = new ArrayList<>();
    for (String line : TABLE.split("\n")) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      String[] c = line.split("\\|");
      rows.add(Arguments.of(c[0].trim(), c[1].trim(), c[2].trim(), c[3].trim().equals("yes")));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "\"{0}\" by {1} on {2} -> {3}")
  @MethodSource("rows")
  void evaluates(String rule, String who, String target, boolean allowed) {
    RulePolicy policy = RulePolicy.of(new PolicyConfig(true), Map.of("under_test", CheckParser.parse(rule)), "test");
    assertThat(policy.check("under_test", caller(policy, who), target(target))).isEqualTo(allowed);
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        Arguments.of("role:a and", "ends where a check was expected"),
        Arguments.of("and role:a", "unexpected \"and\""),
        Arguments.of("role:a or or role:b", "unexpected \"or\""),
        Arguments.of("(role:a", "unbalanced parenthesis"),
        Arguments.of("role:a)", "unexpected \")\""),
        Arguments.of("()", "unexpected \")\""),
        Arguments.of("role:a role:b", "unexpected check \"role:b\""),
        Arguments.of("not", "ends where a check was expected"),
        Arguments.of("admin", "\"admin\" is not a check"),
        Arguments.of("'public'", "a quoted string ('public') is not a check"),
        Arguments.of(":x", "has no kind"),
        Arguments.of("rule:", "names no rule"),
        Arguments.of("http://policy.example.com/check", "remote checks"),
        Arguments.of("https:x", "remote checks"),
        Arguments.of("   ", "the rule is blank"),
        Arguments.of("project_id:%(project_id)d", "only %(name)s may refer to the target"),
        Arguments.of("project_id:50%", "only %(name)s may refer to the target"));
  }

  @ParameterizedTest(name = "\"{0}\" is refused: {1}")
  @MethodSource("syntaxErrors")
  void unparsableRulesAreRefused(String rule, String message) {
    assertThatThrownBy(() -> CheckParser.parse(rule)).isInstanceOf(RuleSyntaxException.class)
        .hasMessageContaining(message);
  }

  @Test
  void precedenceShowsInTheTree() {
    assertThat(CheckParser.parse("role:a or role:b and not role:c").toString())
        .isEqualTo("(role:a or (role:b and not role:c))");
    assertThat(CheckParser.parse("(role:a or role:b) and role:c").toString())
        .isEqualTo("((role:a or role:b) and role:c)");
    // oslo.policy's tokenizer: parentheses stick to checks, keywords any case
    assertThat(CheckParser.parse("(role:a)OR(role:b)").toString()).isEqualTo("role:a)OR(role:b");
    assertThat(CheckParser.parse("ROLE:a").toString()).isEqualTo("ROLE:a"); // a credential named ROLE
  }

  @Test
  void theOldListSyntaxIsAnOrOfAnds() {
    Check c = CheckParser.parseList(List.of(List.of("role:a", "role:b"), List.of("role:c")));
    assertThat(c.toString()).isEqualTo("((role:a and role:b) or role:c)");
    assertThat(CheckParser.parseList(List.of())).isEqualTo(new Check.Always());
  }

  @Test
  void cyclesAreRefusedWithTheirPath() {
    Map<String, Check> rules = new LinkedHashMap<>();
    rules.put("a", CheckParser.parse("role:x or rule:b"));
    rules.put("b", CheckParser.parse("not rule:c"));
    rules.put("c", CheckParser.parse("rule:a and role:y"));
    assertThatThrownBy(() -> Rules.of(rules)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a -> b -> c -> a");
    assertThatThrownBy(() -> Rules.of(Map.of("self", CheckParser.parse("rule:self"))))
        .hasMessageContaining("self -> self");
    // a reference to nothing is no cycle: it evaluates the default rule
    Rules ok = Rules.of(Map.of("a", CheckParser.parse("rule:b"), "b", CheckParser.parse("rule:nothing")));
    assertThat(ok.undefinedReferences()).containsExactly("nothing");
  }

  @Test
  void anUnknownRuleEvaluatesTheDefaultRuleOnceAsOsloPolicyDoes() {
    Map<String, Object> creds = Map.of("roles", java.util.List.of("member"));
    Rules allowByDefault = Rules.of(Map.of("default", CheckParser.parse(""), "a", CheckParser.parse("rule:nothing")));
    assertThat(allowByDefault.enforce("a", creds, Map.of())).isTrue();
    assertThat(allowByDefault.enforce("not_a_rule_at_all", creds, Map.of())).isTrue();

    Rules denyByDefault = Rules.of(Map.of("default", CheckParser.parse("!"), "a", CheckParser.parse("rule:nothing")));
    assertThat(denyByDefault.enforce("a", creds, Map.of())).isFalse();

    Rules memberByDefault = Rules.of(Map.of("default", CheckParser.parse("role:member")));
    assertThat(memberByDefault.enforce("nothing", creds, Map.of())).isTrue();
    assertThat(memberByDefault.enforce("nothing", Map.of("roles", java.util.List.of("reader")), Map.of())).isFalse();

    // a default that itself names an unknown rule: that inner reference fails instead of recursing
    Rules selfReferring = Rules.of(Map.of("default", CheckParser.parse("rule:ghost or role:admin")));
    assertThat(selfReferring.enforce("nothing", creds, Map.of())).isFalse();
    assertThat(selfReferring.enforce("nothing", Map.of("roles", java.util.List.of("admin")), Map.of())).isTrue();

    Rules noDefault = Rules.of(Map.of("a", CheckParser.parse("rule:nothing")));
    assertThat(noDefault.enforce("a", creds, Map.of())).isFalse();
  }

  @Test
  void everyDefaultParses() {
    for (PolicyDefaults.Default d : PolicyDefaults.all()) {
      CheckParser.parse(d.checkStr());
      CheckParser.parse(d.legacy());
    }
    for (Action a : Action.values()) {
      assertThat(PolicyDefaults.checkStrings(true)).containsKey(a.ruleName());
    }
  }

  @Test
  void notAppliesToTheNextCheckOnly() {
    RulePolicy p = RulePolicy.of(new PolicyConfig(true), Map.of("t", CheckParser.parse("not role:a or role:b")), "t");
    assertThat(p.check("t", caller(p, "p1:a"), Map.of())).isFalse();
    assertThat(p.check("t", caller(p, "p1:a,b"), Map.of())).isTrue();
  }

  static Caller caller(Policy policy, String spec) {
    String[] parts = spec.split(";");
    String[] pr = parts[0].split(":", -1);
    String project = pr[0].equals("-") ? null : pr[0];
    Set<String> roles = pr[1].isEmpty() ? Set.of() : Set.of(pr[1].split(","));
    String system = null;
    String user = "u-" + project;
    Set<String> service = Set.of();
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      switch (kv[0]) {
        case "system" -> system = kv[1];
        case "service" -> service = Set.of(kv[1].split(","));
        case "user" -> user = kv[1];
        default -> throw new IllegalArgumentException(parts[i]);
      }
    }
    return new Caller(user, project, roles, policy.isAdmin(roles, project), false, "req-test", system, null,
        service);
  }

  static Map<String, String> target(String spec) {
    Map<String, String> t = new HashMap<>();
    if (!spec.equals("-")) {
      for (String kv : spec.split(",")) {
        String[] p = kv.split("=", 2);
        t.put(p[0].trim(), p[1].trim());
      }
    }
    return t;
  }
}
