package io.imago.config;

/**
 * Authorisation defaults.
 *
 * @param enforceNewDefaults oslo.policy's {@code enforce_new_defaults}: true applies Glance's
 *     secure-RBAC defaults (project reader/member/admin); false the legacy defaults, where any role
 *     of the owning project may change its images
 */
public record PolicyConfig(boolean enforceNewDefaults) {}
