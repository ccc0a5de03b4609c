package io.imago.policy;

import io.imago.config.ConfigException;
import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The oslo.policy-compatible policy (spec/security.md §1): Glance's in-code defaults
 * ({@link PolicyDefaults}) overridden rule by rule by the policy file, evaluated by
 * {@link Rules}, plus what oslo.policy and Glance's API layer add around the rule:
 *
 * <ul>
 *   <li>{@code enforce_scope}: a system- or domain-scoped caller is refused for every
 *       project-scoped rule (all of Glance's);
 *   <li>with {@code enforce_new_defaults=false}, Glance's legacy API-level owner checks
 *       (security.md §1.2), which apply whatever the policy file says, as in Glance.
 * </ul>
 */
public final class RulePolicy implements Policy {
  private static final Logger LOG = LoggerFactory.getLogger(RulePolicy.class);
  private static final String CONTEXT_IS_ADMIN = "context_is_admin";

  private final Rules rules;
  private final boolean newDefaults;
  private final boolean enforceScope;
  private final Set<String> projectScoped;

  private RulePolicy(Rules rules, boolean newDefaults, boolean enforceScope) {
    this.rules = rules;
    this.newDefaults = newDefaults;
    this.enforceScope = enforceScope;
    Set<String> scoped = new TreeSet<>();
    PolicyDefaults.all().stream().filter(PolicyDefaults.Default::projectScoped).forEach(d -> scoped.add(d.name()));
    this.projectScoped = Set.copyOf(scoped);
  }

  /**
   * The policy of a configuration: the defaults of its mode and its policy file, if any.
   * Blocking (reads the file): call at start.
   *
   * @throws ConfigException when the file is missing or unreadable, a rule cannot be parsed, or
   *     rules form a cycle; the message names the file and the rule
   */
  public static RulePolicy load(PolicyConfig config) {
    Map<String, Check> overrides = config.policyFile() == null ? Map.of() : PolicyFile.read(config.policyFile());
    String source = config.policyFile() == null ? "the policy defaults" : "policy file " + config.policyFile();
    RulePolicy policy = of(config, overrides, source);
    if (config.policyFile() != null) {
      LOG.atInfo().setMessage("policy file loaded").addKeyValue("file", config.policyFile())
          .addKeyValue("rules_overridden", overrides.size()).log();
    }
    return policy;
  }

  /** The defaults of the configuration's mode overridden by {@code overrides}; no file is read. */
  public static RulePolicy of(PolicyConfig config, Map<String, Check> overrides, String source) {
    Map<String, Check> all = new LinkedHashMap<>();
    PolicyDefaults.checkStrings(config.enforceNewDefaults()).forEach((name, check) -> {
      try {
        all.put(name, CheckParser.parse(check));
      } catch (RuleSyntaxException e) {
        throw new IllegalStateException("in-code default " + name + ": " + e.getMessage(), e);
      }
    });
    all.putAll(overrides);
    Rules rules;
    try {
      rules = Rules.of(all);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
    Set<String> undefined = rules.undefinedReferences();
    if (!undefined.isEmpty()) {
      LOG.atWarn().setMessage("policy rules refer to rules that do not exist; those checks evaluate the default rule, as in oslo.policy")
          .addKeyValue("source", source).addKeyValue("undefined", undefined).log();
    }
    return new RulePolicy(rules, config.enforceNewDefaults(), config.enforceScope());
  }

  @Override
  public boolean isAdmin(Set<String> roles, String projectId) {
    return isAdmin(new Caller(null, projectId, roles, false, false, "req-context"));
  }

  /**
   * {@code context_is_admin} as Glance's {@code check_is_admin} evaluates it: the caller's
   * credentials (not yet admin) and, as the target, the same values.
   */
  @Override
  public boolean isAdmin(Caller caller) {
    Map<String, Object> creds = credentials(caller);
    creds.put("is_admin", false);
    Map<String, String> target = new HashMap<>();
    creds.forEach((k, v) -> {
      if (v instanceof String s) {
        target.put(k, s);
      }
    });
    return rules.enforce(CONTEXT_IS_ADMIN, creds, target);
  }

  @Override
  public boolean allows(Action action, Caller caller, Map<String, String> target) {
    if (enforceScope && projectScoped.contains(action.ruleName()) && !projectScope(caller)) {
      return false;
    }
    if (!rules.enforce(action.ruleName(), credentials(caller), target)) {
      return false;
    }
    return newDefaults || legacyApiCheck(action, caller, target);
  }

  @Override
  public boolean check(String rule, Caller caller, Map<String, String> target) {
    return rules.enforce(rule, credentials(caller), target);
  }

  /** The rules in force (defaults merged with the file). */
  public Rules rules() {
    return rules;
  }

  /** oslo.policy's token scope: system if a system scope is set, else domain if a domain is, else project. */
  private static boolean projectScope(Caller caller) {
    return caller.systemScope() == null && caller.domainId() == null;
  }

  /**
   * Glance's API layer when secure RBAC is off (glance/api/v2/policy.py, security.md §1.2): only
   * the owning project (or an admin) changes an image or its members, new images belong to the
   * caller's project, and only the member (not the owner) answers a membership.
   */
  private static boolean legacyApiCheck(Action action, Caller c, Map<String, String> t) {
    if (c.admin()) {
      return true;
    }
    return switch (action) {
      case ADD_IMAGE -> eq(c.projectId(), t.get("owner"));
      case MODIFY_IMAGE, UPLOAD_IMAGE, DELETE_IMAGE, DEACTIVATE, REACTIVATE, DELETE_IMAGE_LOCATION, ADD_MEMBER,
          DELETE_MEMBER -> eq(c.projectId(), t.get("project_id"));
      case MODIFY_MEMBER -> !eq(c.projectId(), t.get("project_id"));
      default -> true;
    };
  }

  private static boolean eq(String a, String b) {
    return a != null && Objects.equals(a, b);
  }

  /** oslo.context's {@code to_policy_values()} of a caller, plus Glance's {@code is_admin}. */
  static Map<String, Object> credentials(Caller c) {
    Map<String, Object> creds = new HashMap<>();
    creds.put("user_id", c.userId());
    creds.put("user", c.userId());
    creds.put("project_id", c.projectId());
    creds.put("tenant", c.projectId());
    creds.put("user_domain_id", null);
    creds.put("project_domain_id", null);
    creds.put("domain_id", c.domainId());
    creds.put("system_scope", c.systemScope());
    creds.put("roles", new ArrayList<>(c.roles()));
    creds.put("is_admin", c.admin());
    creds.put("is_admin_project", true);
    creds.put("service_user_id", null);
    creds.put("service_project_id", null);
    creds.put("service_roles", new ArrayList<>(c.serviceRoles()));
    return creds;
  }
}
