package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who is calling, as the auth layer established it (Glance's request context).
 *
 * @param userId the user, or null
 * @param projectId the project the token is scoped to, or null (then created images have no owner)
 * @param roles role names, lower-cased as Glance does
 * @param admin whether {@code context_is_admin} holds: admins bypass ownership and visibility
 * @param readOnly anonymous access: every mutating call is refused
 * @param requestId {@code req-<uuid>}, echoed in {@code x-openstack-request-id} and in logs
 * @param systemScope the token is system-scoped (Keystone {@code OpenStack-System-Scope: all}):
 *     Glance's rules are all project-scoped, so such a caller is refused (spec/security.md §1.1)
 * @param serviceRoles roles of a valid {@code X-Service-Token} (lower-cased), empty without one
 *     (Glance's {@code service_roles}, spec/keystone.md §2)
 */
public record Caller(String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly, String requestId,
    boolean systemScope, Set<String> serviceRoles) {
  public Caller {
    roles = Set.copyOf(requireNonNull(roles, "roles"));
    requireNonNull(requestId, "requestId");
    serviceRoles = Set.copyOf(requireNonNull(serviceRoles, "serviceRoles"));
  }

  /** A project (or unscoped) caller without a service token. */
  public Caller(String userId, String projectId, Set<String> roles, boolean admin, boolean readOnly, String requestId) {
    this(userId, projectId, roles, admin, readOnly, requestId, false, Set.of());
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  /** Whether the caller's project owns an image with this owner (null owners are nobody's). */
  public boolean owns(String owner) {
    return owner != null && owner.equals(projectId);
  }
}
