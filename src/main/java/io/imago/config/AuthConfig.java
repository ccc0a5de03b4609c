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

  public boolean keystoneStrategy() {
    return strategy.equals("keystone");
  }
}
