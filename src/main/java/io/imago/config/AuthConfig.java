package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Who the caller is.
 *
 * <p>{@code noauth} (the only strategy until Keystone support lands) trusts the identity headers
 * that keystonemiddleware would set ({@code X-Roles}, {@code X-Project-Id}, …); a request without
 * them acts as {@code defaultUserId} in {@code defaultProjectId} with {@code defaultRoles}. Never
 * expose a noauth node beyond a trusted network.
 */
public record AuthConfig(String strategy, String defaultProjectId, String defaultUserId, List<String> defaultRoles) {
  public AuthConfig {
    requireNonNull(strategy, "strategy");
    if (!strategy.equals("noauth")) {
      throw new ConfigException("auth.strategy: " + strategy + " (expected: noauth)");
    }
    defaultRoles = List.copyOf(requireNonNull(defaultRoles, "defaultRoles"));
  }
}
