package io.imago.policy;

import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Glance's in-code policy defaults (spec/security.md §1.2), in both modes:
 *
 * <ul>
 *   <li>{@code enforce_new_defaults=true} (Glance ≥ 2023.1): secure RBAC — project readers read,
 *       members write, admins do anything;
 *   <li>{@code false} (Zed): the legacy rules, which allow almost everything, plus the API-layer
 *       check that only the owner's project (or an admin) may change an image.
 * </ul>
 */
public final class DefaultPolicy implements Policy {
  private final boolean newDefaults;

  public DefaultPolicy(PolicyConfig config) {
    this.newDefaults = config.enforceNewDefaults();
  }

  @Override
  public boolean isAdmin(Set<String> roles, String projectId) {
    return roles.contains("admin");
  }

  @Override
  public boolean allows(Action action, Caller c, Map<String, String> t) {
    // Every Glance rule has scope_types=['project']: a system-scoped token is refused (security.md §1.1)
    if (c.systemScope()) {
      return false;
    }
    return newDefaults ? secureRbac(action, c, t) : legacy(action, c, t);
  }

  private static boolean secureRbac(Action action, Caller c, Map<String, String> t) {
    boolean admin = c.admin();
    boolean reader = c.hasRole("reader");
    boolean member = c.hasRole("member");
    boolean prj = eq(c.projectId(), t.get("project_id"));
    boolean memberOf = eq(c.projectId(), t.get("member_id"));
    String vis = t.get("visibility");
    boolean readableVis = "community".equals(vis) || "public".equals(vis) || "shared".equals(vis);
    return switch (action) {
      case ADD_IMAGE -> admin || (member && prj && eq(c.projectId(), t.get("owner")));
      case GET_IMAGE -> admin || (reader && (prj || memberOf || readableVis));
      case GET_IMAGES -> admin || (reader && prj);
      case MODIFY_IMAGE, DELETE_IMAGE, UPLOAD_IMAGE, SET_IMAGE_LOCATION, COMMUNITIZE_IMAGE, ADD_MEMBER,
          DELETE_MEMBER, DEACTIVATE, REACTIVATE -> admin || (member && prj);
      case PUBLICIZE_IMAGE, DELETE_IMAGE_LOCATION, COPY_IMAGE, MANAGE_IMAGE_CACHE, TASKS_API_ACCESS -> admin;
      case DOWNLOAD_IMAGE -> admin || (member && (prj || memberOf || readableVis));
      case GET_IMAGE_LOCATION -> admin || (reader && prj);
      case GET_MEMBER, GET_MEMBERS -> admin || (reader && (prj || memberOf));
      case MODIFY_MEMBER -> admin || (member && memberOf);
      case STORES_INFO_DETAIL -> admin || c.hasRole("service");
    };
  }

  private static boolean legacy(Action action, Caller c, Map<String, String> t) {
    boolean admin = c.admin();
    boolean ownerOrAdmin = admin || eq(c.projectId(), t.get("project_id"));
    return switch (action) {
      // Zed's deprecated rules are "rule:default" = allow; Glance's API layer adds the owner check.
      case ADD_IMAGE -> admin || eq(c.projectId(), t.get("owner"));
      case MODIFY_IMAGE, UPLOAD_IMAGE, DELETE_IMAGE, DEACTIVATE, REACTIVATE, DELETE_IMAGE_LOCATION,
          ADD_MEMBER, DELETE_MEMBER -> ownerOrAdmin;
      // Glance's legacy API layer: the owner may not accept or reject on the member's behalf.
      case MODIFY_MEMBER -> admin || !eq(c.projectId(), t.get("project_id"));
      case GET_IMAGE, GET_IMAGES, COMMUNITIZE_IMAGE, DOWNLOAD_IMAGE, GET_IMAGE_LOCATION, SET_IMAGE_LOCATION,
          GET_MEMBER, GET_MEMBERS -> true;
      case PUBLICIZE_IMAGE, COPY_IMAGE, MANAGE_IMAGE_CACHE, TASKS_API_ACCESS, STORES_INFO_DETAIL -> admin;
    };
  }

  private static boolean eq(String a, String b) {
    return a != null && Objects.equals(a, b);
  }
}
