package io.imago.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Glance's in-code policy defaults as check strings (spec/security.md §1.2), so that a policy
 * file can override any of them by name.
 *
 * <p>Each rule has its secure-RBAC default ({@code enforce_new_defaults=true}) and the check
 * that is in effect in legacy mode: for rules with a deprecated alternative that is what Zed
 * effectively enforces ("new default OR deprecated rule", which with {@code rule:default = ""}
 * reduces to the deprecated rule); for rules without one it is the new default.
 * {@code stores_info_detail} is the exception the spec tables: legacy mode is Zed's plain
 * {@code role:admin} (the {@code service_api} alternative only arrived in 2025.1).
 */
public final class PolicyDefaults {
  private static final String A = "rule:context_is_admin";
  private static final String R = "role:reader";
  private static final String M = "role:member";
  private static final String PRJ = "project_id:%(project_id)s";
  private static final String READABLE_VISIBILITY = "'community':%(visibility)s or 'public':%(visibility)s"
      + " or 'shared':%(visibility)s";
  private static final String OWNER_MEMBER = A + " or (" + M + " and " + PRJ + ")";
  private static final String LEGACY = "rule:default";
  private static final String METADEF_ADMIN = "rule:metadef_admin";
  private static final String METADEF_DEFAULT = "rule:metadef_default";
  /** Glance's ADMIN_OR_PROJECT_READER_GET_NAMESPACE. */
  private static final String METADEF_READ = A + " or (" + R + " and (" + PRJ + " or 'public':%(visibility)s))";

  /**
   * One registered rule.
   *
   * @param legacy the check in force with {@code enforce_new_defaults=false}
   * @param projectScoped Glance registers it with {@code scope_types=['project']}: with
   *     {@code enforce_scope} a system- or domain-scoped token is refused
   */
  public record Default(String name, String checkStr, String legacy, boolean projectScoped) {}

  private static final List<Default> ALL = List.of(
      helper("context_is_admin", "role:admin"),
      helper("default", ""),
      helper("service_api", "role:service or role:admin"),
      rule("add_image", A + " or (" + M + " and " + PRJ + " and project_id:%(owner)s)", LEGACY),
      rule("get_image", A + " or (" + R + " and (" + PRJ + " or project_id:%(member_id)s or " + READABLE_VISIBILITY
          + "))", LEGACY),
      rule("get_images", A + " or (" + R + " and " + PRJ + ")", LEGACY),
      rule("modify_image", OWNER_MEMBER, LEGACY),
      rule("delete_image", OWNER_MEMBER, LEGACY),
      rule("publicize_image", A, null),
      rule("communitize_image", OWNER_MEMBER, LEGACY),
      rule("download_image", downloadRule(), LEGACY),
      rule("download_from_store", downloadRule(), null),
      rule("upload_image", OWNER_MEMBER, LEGACY),
      rule("get_image_location", A + " or (" + R + " and " + PRJ + ")", LEGACY),
      rule("set_image_location", OWNER_MEMBER, LEGACY),
      rule("delete_image_location", A, LEGACY),
      rule("add_image_location", "rule:service_api or (" + M + " and " + PRJ + " and project_id:%(owner)s)", null),
      rule("fetch_image_location", "rule:service_api", null),
      rule("add_member", OWNER_MEMBER, LEGACY),
      rule("delete_member", OWNER_MEMBER, LEGACY),
      rule("get_member", A + " or (" + R + " and (" + PRJ + " or project_id:%(member_id)s))", LEGACY),
      rule("get_members", A + " or (" + R + " and (" + PRJ + " or project_id:%(member_id)s))", LEGACY),
      rule("modify_member", A + " or (" + M + " and project_id:%(member_id)s)", LEGACY),
      rule("deactivate", OWNER_MEMBER, LEGACY),
      rule("reactivate", OWNER_MEMBER, LEGACY),
      rule("copy_image", A, null),
      rule("manage_image_cache", A, null),
      rule("cache_image", A, "rule:manage_image_cache"),
      rule("cache_list", A, "rule:manage_image_cache"),
      rule("cache_delete", A, "rule:manage_image_cache"),
      rule("cache_clean", A, null),
      rule("cache_prune", A, null),
      rule("list_cached_nodes", A, null),
      rule("stores_info_detail", A + " or rule:service_api", A),
      rule("tasks_api_access", A, null),
      rule("get_task", "rule:default", null),
      rule("get_tasks", "rule:default", null),
      rule("add_task", "rule:default", null),
      rule("modify_task", "rule:default", null),
      helper("metadef_default", ""),
      new Default("metadef_admin", A, "role:admin", false),
      rule("get_metadef_namespace", METADEF_READ, METADEF_DEFAULT),
      rule("get_metadef_namespaces", A + " or (" + R + " and " + PRJ + ")", METADEF_DEFAULT),
      rule("modify_metadef_namespace", METADEF_ADMIN, null),
      rule("add_metadef_namespace", METADEF_ADMIN, null),
      rule("delete_metadef_namespace", METADEF_ADMIN, null),
      rule("get_metadef_object", METADEF_READ, METADEF_DEFAULT),
      rule("get_metadef_objects", METADEF_READ, METADEF_DEFAULT),
      rule("modify_metadef_object", METADEF_ADMIN, null),
      rule("add_metadef_object", METADEF_ADMIN, null),
      rule("delete_metadef_object", METADEF_ADMIN, null),
      rule("list_metadef_resource_types", METADEF_READ, METADEF_DEFAULT),
      rule("get_metadef_resource_type", METADEF_READ, METADEF_DEFAULT),
      rule("add_metadef_resource_type_association", METADEF_ADMIN, null),
      rule("remove_metadef_resource_type_association", METADEF_ADMIN, null),
      rule("get_metadef_property", METADEF_READ, METADEF_DEFAULT),
      rule("get_metadef_properties", METADEF_READ, METADEF_DEFAULT),
      rule("modify_metadef_property", METADEF_ADMIN, null),
      rule("add_metadef_property", METADEF_ADMIN, null),
      rule("remove_metadef_property", METADEF_ADMIN, null),
      rule("get_metadef_tag", METADEF_READ, METADEF_DEFAULT),
      rule("get_metadef_tags", METADEF_READ, METADEF_DEFAULT),
      rule("modify_metadef_tag", METADEF_ADMIN, null),
      rule("add_metadef_tag", METADEF_ADMIN, null),
      rule("add_metadef_tags", METADEF_ADMIN, null),
      rule("delete_metadef_tag", METADEF_ADMIN, null),
      rule("delete_metadef_tags", METADEF_ADMIN, null));

  private PolicyDefaults() {}

  /** Every registered rule, in Glance's order. */
  public static List<Default> all() {
    return ALL;
  }

  /** name → check string in force by default in the given mode. */
  public static Map<String, String> checkStrings(boolean newDefaults) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Default d : ALL) {
      out.put(d.name(), newDefaults ? d.checkStr() : d.legacy());
    }
    return out;
  }

  private static String downloadRule() {
    return A + " or (" + M + " and (" + PRJ + " or project_id:%(member_id)s or " + READABLE_VISIBILITY + "))";
  }

  private static Default helper(String name, String check) {
    return new Default(name, check, check, false);
  }

  private static Default rule(String name, String check, String legacy) {
    return new Default(name, check, legacy == null ? check : legacy, true);
  }
}
