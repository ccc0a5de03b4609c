package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Who the caller is.
 *
 * <p>{@code noauth} (the embedded default) trusts the identity headers that keystonemiddleware would
 * set ({@code X-Roles}, {@code X-Project-Id}, …); a request without them acts as
 * {@code defaultUserId} in {@code defaultProjectId} with {@code defaultRoles}. Never expose a noauth
 * node beyond a trusted network. {@code keystone} validates {@code X-Auth-Token} with Keystone
 * ({@link KeystoneConfig}) and ignores identity headers sent by clients.
 *
 * @param allowAnonymousAccess Glance's {@code allow_anonymous_access}: with {@code keystone}, a
 *     request without a valid token is an anonymous, read-only caller instead of a 401
 *     (spec/keystone.md §3)
 */
public record AuthConfig(String strategy, String defaultProjectId, String defaultUserId, List<String> defaultRoles,
    KeystoneConfig keystone, boolean allowAnonymousAccess) {
  public AuthConfig {
    requireNonNull(strategy, "strategy");
    if (!strategy.equals("noauth") && !strategy.equals("keystone")) {
      throw new ConfigException("auth.strategy: " + strategy + " (expected: noauth or keystone)");
    }
    defaultRoles = List.copyOf(requireNonNull(defaultRoles, "defaultRoles"));
    requireNonNull(keystone, "keystone");
    if (strategy.equals("keystone")) {
      keystone.requireComplete();
    }
  }

  /** {@code auth.*} and their defaults, the Keystone sections ({@link KeystoneConfig#read}) included. */
  static AuthConfig read(ConfigTree t) {
    return new AuthConfig(
        t.string("auth.strategy", "noauth"),
        t.string("auth.noauth.default_project_id", "admin"),
        t.string("auth.noauth.default_user_id", "admin"),
        t.list("auth.noauth.default_roles", List.of("admin", "member", "reader")),
        KeystoneConfig.read(t),
        t.bool("auth.allow_anonymous_access", false));
  }

  public boolean keystoneStrategy() {
    return strategy.equals("keystone");
  }
}
