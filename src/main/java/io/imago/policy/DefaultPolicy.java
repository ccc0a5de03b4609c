package io.imago.policy;

import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import java.util.Map;
import java.util.Set;

/**
 * Glance's in-code policy defaults (spec/security.md §1.2) without a policy file: a
 * {@link RulePolicy} over {@link PolicyDefaults} only, in either mode —
 *
 * <ul>
 *   <li>{@code enforce_new_defaults=true} (Glance ≥ 2023.1): secure RBAC — project readers read,
 *       members write, admins do anything;
 *   <li>{@code false} (Zed): the legacy rules, which allow almost everything, plus the API-layer
 *       check that only the owner's project (or an admin) may change an image.
 * </ul>
 */
public final class DefaultPolicy implements Policy {
  private final RulePolicy rules;

  public DefaultPolicy(PolicyConfig config) {
    this.rules = RulePolicy.of(config, Map.of(), "the policy defaults");
  }

  @Override
  public boolean isAdmin(Set<String> roles, String projectId) {
    return rules.isAdmin(roles, projectId);
  }

  @Override
  public boolean isAdmin(Caller caller) {
    return rules.isAdmin(caller);
  }

  @Override
  public boolean allows(Action action, Caller caller, Map<String, String> target) {
    return rules.allows(action, caller, target);
  }

  @Override
  public boolean check(String rule, Caller caller, Map<String, String> target) {
    return rules.check(rule, caller, target);
  }
}
