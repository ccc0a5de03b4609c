package io.imago.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.Visibility;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy defaults of spec/security.md §1.2, row by row, in both modes: secure RBAC
 * ({@code enforce_new_defaults=true}) and legacy (Zed's default: the deprecated rules allow, and
 * Glance's API layer adds the owner-or-admin checks).
 *
 * <p>Callers are {@code project:role,role}; targets are a new image ({@code new:<owner>}), an
 * existing image of project p1 ({@code p1/<visibility>}), or the caller's project
 * ({@code project}). Through {@link Targets#image} a shared image's target names the caller's
 * project as {@code member_id} whenever the caller is not the owner.
 */
class DefaultPolicyTest {
  private static final String TABLE = """
      # mode   | action              | caller            | target        | allowed
      # ---- secure RBAC ----
      srbac    | add_image           | p1:member,reader  | new:p1        | yes
      srbac    | add_image           | p1:reader         | new:p1        | no
      srbac    | add_image           | p1:member         | new:p2        | no
      srbac    | add_image           | p1:               | new:p1        | no
      srbac    | add_image           | px:admin          | new:p1        | yes
      srbac    | get_image           | p1:reader         | p1/private    | yes
      srbac    | get_image           | p1:member         | p1/private    | no
      srbac    | get_image           | p2:reader         | p1/private    | no
      srbac    | get_image           | p2:reader         | p1/public     | yes
      srbac    | get_image           | p2:reader         | p1/community  | yes
      srbac    | get_image           | p2:reader         | p1/shared     | yes
      srbac    | get_image           | p2:               | p1/public     | no
      srbac    | get_image           | px:admin          | p1/private    | yes
      srbac    | get_images          | p1:reader         | project       | yes
      srbac    | get_images          | p1:member         | project       | no
      srbac    | modify_image        | p1:member         | p1/private    | yes
      srbac    | modify_image        | p1:reader         | p1/private    | no
      srbac    | modify_image        | p2:member,reader  | p1/public     | no
      srbac    | modify_image        | px:admin          | p1/private    | yes
      srbac    | delete_image        | p1:member         | p1/private    | yes
      srbac    | delete_image        | p1:reader         | p1/private    | no
      srbac    | delete_image        | p2:member         | p1/shared     | no
      srbac    | upload_image        | p1:member         | p1/private    | yes
      srbac    | upload_image        | p1:reader         | p1/private    | no
      srbac    | upload_image        | p2:member         | p1/community  | no
      srbac    | download_image      | p1:member         | p1/private    | yes
      srbac    | download_image      | p1:reader         | p1/private    | no
      srbac    | download_image      | p2:member         | p1/public     | yes
      srbac    | download_image      | p2:member         | p1/shared     | yes
      srbac    | download_image      | p2:member         | p1/private    | no
      srbac    | download_image      | p2:reader         | p1/public     | no
      srbac    | deactivate          | p1:member         | p1/private    | yes
      srbac    | deactivate          | p1:reader         | p1/private    | no
      srbac    | deactivate          | p2:member         | p1/public     | no
      srbac    | reactivate          | p1:member         | p1/private    | yes
      srbac    | reactivate          | p1:reader         | p1/private    | no
      srbac    | reactivate          | px:admin          | p1/private    | yes
      srbac    | publicize_image     | p1:member,reader  | p1/private    | no
      srbac    | publicize_image     | px:admin          | p1/private    | yes
      srbac    | communitize_image   | p1:member         | p1/private    | yes
      srbac    | communitize_image   | p1:reader         | p1/private    | no
      srbac    | get_image_location  | p1:reader         | p1/private    | yes
      srbac    | get_image_location  | p2:reader         | p1/public     | no
      srbac    | set_image_location  | p1:member         | p1/private    | yes
      srbac    | set_image_location  | p1:reader         | p1/private    | no
      srbac    | delete_image_location | p1:member       | p1/private    | no
      srbac    | delete_image_location | px:admin        | p1/private    | yes
      srbac    | add_member          | p1:member         | p1/shared     | yes
      srbac    | add_member          | p1:reader         | p1/shared     | no
      srbac    | add_member          | p2:member         | p1/shared     | no
      srbac    | add_member          | px:admin          | p1/shared     | yes
      srbac    | delete_member       | p1:member         | p1/shared     | yes
      srbac    | delete_member       | p2:member,reader  | p1/shared     | no
      srbac    | get_members         | p1:reader         | p1/shared     | yes
      srbac    | get_members         | p2:reader         | p1/shared     | yes
      srbac    | get_members         | p2:member         | p1/shared     | no
      srbac    | get_members         | p2:reader         | p1/public     | no
      srbac    | get_member          | p2:reader         | p1/shared     | yes
      srbac    | get_member          | p2:reader         | p1/community  | no
      srbac    | modify_member       | p2:member         | p1/shared     | yes
      srbac    | modify_member       | p2:reader         | p1/shared     | no
      srbac    | modify_member       | p1:member,reader  | p1/shared     | no
      srbac    | modify_member       | px:admin          | p1/shared     | yes
      srbac    | copy_image          | p1:member         | p1/private    | no
      srbac    | copy_image          | px:admin          | p1/private    | yes
      srbac    | manage_image_cache  | p1:member         | project       | no
      srbac    | manage_image_cache  | px:admin          | project       | yes
      srbac    | cache_image         | p1:member         | project       | no
      srbac    | cache_image         | px:admin          | project       | yes
      srbac    | cache_list          | p1:member         | project       | no
      srbac    | cache_list          | px:admin          | project       | yes
      srbac    | cache_delete        | p1:member         | project       | no
      srbac    | cache_delete        | px:admin          | project       | yes
      srbac    | cache_clean         | p1:member         | project       | no
      srbac    | cache_clean         | px:admin          | project       | yes
      srbac    | cache_prune         | p1:member         | project       | no
      srbac    | cache_prune         | px:admin          | project       | yes
      srbac    | list_cached_nodes   | p1:member         | project       | no
      srbac    | list_cached_nodes   | px:admin          | project       | yes
      srbac    | tasks_api_access    | p1:member,reader  | project       | no
      srbac    | tasks_api_access    | px:admin          | project       | yes
      srbac    | stores_info_detail  | p1:member,reader  | project       | no
      srbac    | stores_info_detail  | p1:service        | project       | yes
      srbac    | stores_info_detail  | px:admin          | project       | yes
      # ---- legacy: any role of the owner; other projects may read, not change ----
      legacy   | add_image           | p1:               | new:p1        | yes
      legacy   | add_image           | p1:reader         | new:p2        | no
      legacy   | add_image           | px:admin          | new:p2        | yes
      legacy   | get_image           | p2:               | p1/private    | yes
      legacy   | get_images          | p1:               | project       | yes
      legacy   | modify_image        | p1:reader         | p1/private    | yes
      legacy   | modify_image        | p2:member         | p1/public     | no
      legacy   | modify_image        | px:admin          | p1/public     | yes
      legacy   | upload_image        | p1:reader         | p1/private    | yes
      legacy   | upload_image        | p2:member         | p1/community  | no
      legacy   | delete_image        | p1:               | p1/private    | yes
      legacy   | delete_image        | p2:member         | p1/shared     | no
      legacy   | download_image      | p2:reader         | p1/public     | yes
      legacy   | deactivate          | p1:reader         | p1/private    | yes
      legacy   | deactivate          | p2:member         | p1/public     | no
      legacy   | reactivate          | p2:member         | p1/community  | no
      legacy   | reactivate          | px:admin          | p1/community  | yes
      legacy   | publicize_image     | p1:member         | p1/private    | no
      legacy   | publicize_image     | px:admin          | p1/private    | yes
      legacy   | communitize_image   | p2:reader         | p1/private    | yes
      legacy   | delete_image_location | p1:reader       | p1/private    | yes
      legacy   | delete_image_location | p2:member       | p1/public     | no
      legacy   | add_member          | p1:reader         | p1/shared     | yes
      legacy   | add_member          | p2:member         | p1/shared     | no
      legacy   | delete_member       | p2:member         | p1/shared     | no
      legacy   | delete_member       | px:admin          | p1/shared     | yes
      legacy   | get_members         | p2:               | p1/shared     | yes
      legacy   | modify_member       | p2:reader         | p1/shared     | yes
      legacy   | modify_member       | p1:member         | p1/shared     | no
      legacy   | modify_member       | p1:admin          | p1/shared     | yes
      legacy   | get_member          | p2:               | p1/shared     | yes
      legacy   | get_image_location  | p2:reader         | p1/public     | yes
      legacy   | set_image_location  | p1:reader         | p1/private    | yes
      legacy   | copy_image          | p1:member         | p1/private    | no
      legacy   | manage_image_cache  | p1:member         | project       | no
      legacy   | cache_image         | p1:member         | project       | no
      legacy   | cache_image         | px:admin          | project       | yes
      legacy   | cache_list          | p1:member         | project       | no
      legacy   | cache_list          | px:admin          | project       | yes
      legacy   | cache_delete        | p1:member         | project       | no
      legacy   | cache_delete        | px:admin          | project       | yes
      legacy   | cache_clean         | p1:member         | project       | no
      legacy   | cache_clean         | px:admin          | project       | yes
      legacy   | cache_prune         | p1:member         | project       | no
      legacy   | cache_prune         | px:admin          | project       | yes
      legacy   | list_cached_nodes   | p1:member         | project       | no
      legacy   | list_cached_nodes   | px:admin          | project       | yes
      legacy   | tasks_api_access    | p1:member         | project       | no
      legacy   | stores_info_detail  | p1:service        | project       | no
      legacy   | stores_info_detail  | px:admin          | project       | yes
      # ---- metadefs (spec/metadefs.md §7); ns:<owner>/<visibility> is a namespace ----
      srbac    | get_metadef_namespace | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_namespace | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_namespace | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_namespace | p1:member         | ns:p1/private | no
      srbac    | get_metadef_namespace | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_namespace | p2:               | ns:p1/private | yes
      srbac    | get_metadef_namespaces | p1:reader         | project       | yes
      srbac    | get_metadef_namespaces | p1:member         | project       | no
      legacy   | get_metadef_namespaces | p1:               | project       | yes
      srbac    | modify_metadef_namespace | p1:member,reader  | ns:p1/private | no
      srbac    | modify_metadef_namespace | px:admin          | ns:p1/private | yes
      legacy   | modify_metadef_namespace | p1:member,reader  | ns:p1/public  | no
      legacy   | modify_metadef_namespace | px:admin          | ns:p1/private | yes
      srbac    | add_metadef_namespace | p1:member,reader  | ns:p1/private | no
      srbac    | add_metadef_namespace | px:admin          | ns:p1/private | yes
      legacy   | add_metadef_namespace | p1:member,reader  | ns:p1/public  | no
      legacy   | add_metadef_namespace | px:admin          | ns:p1/private | yes
      srbac    | delete_metadef_namespace | p1:member,reader  | ns:p1/private | no
      srbac    | delete_metadef_namespace | px:admin          | ns:p1/private | yes
      legacy   | delete_metadef_namespace | p1:member,reader  | ns:p1/public  | no
      legacy   | delete_metadef_namespace | px:admin          | ns:p1/private | yes
      srbac    | get_metadef_object  | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_object  | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_object  | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_object  | p1:member         | ns:p1/private | no
      srbac    | get_metadef_object  | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_object  | p2:               | ns:p1/private | yes
      srbac    | get_metadef_objects | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_objects | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_objects | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_objects | p1:member         | ns:p1/private | no
      srbac    | get_metadef_objects | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_objects | p2:               | ns:p1/private | yes
      srbac    | modify_metadef_object | p1:member,reader  | ns:p1/private | no
      srbac    | modify_metadef_object | px:admin          | ns:p1/private | yes
      legacy   | modify_metadef_object | p1:member,reader  | ns:p1/public  | no
      legacy   | modify_metadef_object | px:admin          | ns:p1/private | yes
      srbac    | add_metadef_object  | p1:member,reader  | ns:p1/private | no
      srbac    | add_metadef_object  | px:admin          | ns:p1/private | yes
      legacy   | add_metadef_object  | p1:member,reader  | ns:p1/public  | no
      legacy   | add_metadef_object  | px:admin          | ns:p1/private | yes
      srbac    | delete_metadef_object | p1:member,reader  | ns:p1/private | no
      srbac    | delete_metadef_object | px:admin          | ns:p1/private | yes
      legacy   | delete_metadef_object | p1:member,reader  | ns:p1/public  | no
      legacy   | delete_metadef_object | px:admin          | ns:p1/private | yes
      srbac    | list_metadef_resource_types | p1:reader         | ns:p1/private | yes
      srbac    | list_metadef_resource_types | p2:reader         | ns:p1/private | no
      srbac    | list_metadef_resource_types | p2:reader         | ns:p1/public  | yes
      srbac    | list_metadef_resource_types | p1:member         | ns:p1/private | no
      srbac    | list_metadef_resource_types | px:admin          | ns:p1/private | yes
      legacy   | list_metadef_resource_types | p2:               | ns:p1/private | yes
      srbac    | get_metadef_resource_type | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_resource_type | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_resource_type | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_resource_type | p1:member         | ns:p1/private | no
      srbac    | get_metadef_resource_type | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_resource_type | p2:               | ns:p1/private | yes
      srbac    | add_metadef_resource_type_association | p1:member,reader  | ns:p1/private | no
      srbac    | add_metadef_resource_type_association | px:admin          | ns:p1/private | yes
      legacy   | add_metadef_resource_type_association | p1:member,reader  | ns:p1/public  | no
      legacy   | add_metadef_resource_type_association | px:admin          | ns:p1/private | yes
      srbac    | remove_metadef_resource_type_association | p1:member,reader  | ns:p1/private | no
      srbac    | remove_metadef_resource_type_association | px:admin          | ns:p1/private | yes
      legacy   | remove_metadef_resource_type_association | p1:member,reader  | ns:p1/public  | no
      legacy   | remove_metadef_resource_type_association | px:admin          | ns:p1/private | yes
      srbac    | get_metadef_property | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_property | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_property | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_property | p1:member         | ns:p1/private | no
      srbac    | get_metadef_property | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_property | p2:               | ns:p1/private | yes
      srbac    | get_metadef_properties | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_properties | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_properties | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_properties | p1:member         | ns:p1/private | no
      srbac    | get_metadef_properties | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_properties | p2:               | ns:p1/private | yes
      srbac    | modify_metadef_property | p1:member,reader  | ns:p1/private | no
      srbac    | modify_metadef_property | px:admin          | ns:p1/private | yes
      legacy   | modify_metadef_property | p1:member,reader  | ns:p1/public  | no
      legacy   | modify_metadef_property | px:admin          | ns:p1/private | yes
      srbac    | add_metadef_property | p1:member,reader  | ns:p1/private | no
      srbac    | add_metadef_property | px:admin          | ns:p1/private | yes
      legacy   | add_metadef_property | p1:member,reader  | ns:p1/public  | no
      legacy   | add_metadef_property | px:admin          | ns:p1/private | yes
      srbac    | remove_metadef_property | p1:member,reader  | ns:p1/private | no
      srbac    | remove_metadef_property | px:admin          | ns:p1/private | yes
      legacy   | remove_metadef_property | p1:member,reader  | ns:p1/public  | no
      legacy   | remove_metadef_property | px:admin          | ns:p1/private | yes
      srbac    | get_metadef_tag     | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_tag     | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_tag     | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_tag     | p1:member         | ns:p1/private | no
      srbac    | get_metadef_tag     | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_tag     | p2:               | ns:p1/private | yes
      srbac    | get_metadef_tags    | p1:reader         | ns:p1/private | yes
      srbac    | get_metadef_tags    | p2:reader         | ns:p1/private | no
      srbac    | get_metadef_tags    | p2:reader         | ns:p1/public  | yes
      srbac    | get_metadef_tags    | p1:member         | ns:p1/private | no
      srbac    | get_metadef_tags    | px:admin          | ns:p1/private | yes
      legacy   | get_metadef_tags    | p2:               | ns:p1/private | yes
      srbac    | modify_metadef_tag  | p1:member,reader  | ns:p1/private | no
      srbac    | modify_metadef_tag  | px:admin          | ns:p1/private | yes
      legacy   | modify_metadef_tag  | p1:member,reader  | ns:p1/public  | no
      legacy   | modify_metadef_tag  | px:admin          | ns:p1/private | yes
      srbac    | add_metadef_tag     | p1:member,reader  | ns:p1/private | no
      srbac    | add_metadef_tag     | px:admin          | ns:p1/private | yes
      legacy   | add_metadef_tag     | p1:member,reader  | ns:p1/public  | no
      legacy   | add_metadef_tag     | px:admin          | ns:p1/private | yes
      srbac    | add_metadef_tags    | p1:member,reader  | ns:p1/private | no
      srbac    | add_metadef_tags    | px:admin          | ns:p1/private | yes
      legacy   | add_metadef_tags    | p1:member,reader  | ns:p1/public  | no
      legacy   | add_metadef_tags    | px:admin          | ns:p1/private | yes
      srbac    | delete_metadef_tag  | p1:member,reader  | ns:p1/private | no
      srbac    | delete_metadef_tag  | px:admin          | ns:p1/private | yes
      legacy   | delete_metadef_tag  | p1:member,reader  | ns:p1/public  | no
      legacy   | delete_metadef_tag  | px:admin          | ns:p1/private | yes
      srbac    | delete_metadef_tags | p1:member,reader  | ns:p1/private | no
      srbac    | delete_metadef_tags | px:admin          | ns:p1/private | yes
      legacy   | delete_metadef_tags | p1:member,reader  | ns:p1/public  | no
      legacy   | delete_metadef_tags | px:admin          | ns:p1/private | yes
      """;

  static Stream<Arguments> rows() {
    List<Arguments> rows = new ArrayList<>();
    for (String line : TABLE.split("\n")) {
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      String[] c = line.split("\\|");
      rows.add(Arguments.of(c[0].trim(), c[1].trim(), c[2].trim(), c[3].trim(), c[4].trim().equals("yes")));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}: {1} by {2} on {3} -> {4}")
  @MethodSource("rows")
  void defaultRule(String mode, String rule, String who, String target, boolean allowed) {
    DefaultPolicy policy = new DefaultPolicy(new PolicyConfig(mode.equals("srbac")));
    Caller caller = caller(policy, who);
    assertThat(policy.allows(action(rule), caller, target(target, caller))).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "every action has a row in {0} mode")
  @MethodSource("modes")
  void everyActionIsCovered(String mode) {
    Set<String> covered = new HashSet<>();
    rows().map(Arguments::get).filter(a -> a[0].equals(mode)).forEach(a -> covered.add((String) a[1]));
    Set<String> missing = new TreeSet<>();
    for (Action a : Action.values()) {
      if (!covered.contains(a.ruleName())) {
        missing.add(a.ruleName());
      }
    }
    assertThat(missing).isEmpty();
  }

  static Stream<String> modes() {
    return Stream.of("srbac", "legacy");
  }

  private static Caller caller(DefaultPolicy policy, String who) {
    String[] parts = who.split(":", -1);
    Set<String> roles = parts[1].isEmpty() ? Set.of() : Set.of(parts[1].split(","));
    return new Caller("u-" + parts[0], parts[0], roles, policy.isAdmin(roles, parts[0]), false, "req-test");
  }

  private static Action action(String rule) {
    for (Action a : Action.values()) {
      if (a.ruleName().equals(rule)) {
        return a;
      }
    }
    throw new IllegalArgumentException("no action " + rule);
  }

  private static Map<String, String> target(String spec, Caller caller) {
    if (spec.equals("project")) {
      return Targets.project(caller);
    }
    if (spec.startsWith("ns:")) {
      String[] n = spec.substring(3).split("/");
      return Targets.namespace(new io.imago.domain.metadef.Namespace(1, "ns", null, null, n[1], false, n[0], null,
          null));
    }
    if (spec.startsWith("new:")) {
      return Targets.newImage(spec.substring(4), null);
    }
    String[] p = spec.split("/");
    Image.Builder b = Image.queued("8d0f5b7e-4c57-4b5b-9a38-6d7b3b0f1c11", p[0], Instant.EPOCH).toBuilder();
    b.visibility = Visibility.parse(p[1].toLowerCase(Locale.ROOT)).orElseThrow();
    return Targets.image(b.build(), caller);
  }
}
