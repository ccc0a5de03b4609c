package io.imago.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Authorisation (spec/security.md §1, §2).
 *
 * @param enforceNewDefaults oslo.policy's {@code enforce_new_defaults}: true applies Glance's
 *     secure-RBAC defaults (project reader/member/admin); false the legacy defaults, where any role
 *     of the owning project may change its images
 * @param enforceScope oslo.policy's {@code enforce_scope}: refuse system- and domain-scoped tokens
 *     for the image rules (all of Glance's rules are {@code scope_types=['project']})
 * @param policyFile oslo.policy's {@code policy_file}: YAML or JSON, rule name → check string,
 *     overriding the defaults by name; null = the defaults only
 * @param propertyProtectionFile Glance's {@code property_protection_file} (INI); null = off
 * @param propertyProtectionRuleFormat {@code roles} or {@code policies}
 */
public record PolicyConfig(boolean enforceNewDefaults, boolean enforceScope, Path policyFile,
    Path propertyProtectionFile, String propertyProtectionRuleFormat) {
  public PolicyConfig {
    propertyProtectionRuleFormat = propertyProtectionRuleFormat.toLowerCase(Locale.ROOT);
    if (!List.of("roles", "policies").contains(propertyProtectionRuleFormat)) {
      throw new ConfigException("policy.property_protection_rule_format: " + propertyProtectionRuleFormat
          + " (expected: roles or policies)");
    }
  }

  /** {@code policy.*} and their defaults, oslo.policy's and Glance's; relative files are in {@code dataDir}. */
  static PolicyConfig read(ConfigTree t, Path dataDir) {
    return new PolicyConfig(
        t.bool("policy.enforce_new_defaults", true),
        t.bool("policy.enforce_scope", true),
        t.path("policy.policy_file", null, dataDir),
        t.path("policy.property_protection_file", null, dataDir),
        t.string("policy.property_protection_rule_format", "roles"));
  }

  /** The in-code defaults of one mode, scope enforced, no files. */
  public PolicyConfig(boolean enforceNewDefaults) {
    this(enforceNewDefaults, true, null, null, "roles");
  }
}
