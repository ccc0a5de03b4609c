package io.imago.policy;

import io.imago.domain.Caller;
import java.util.Map;
import java.util.Set;

/**
 * May the caller do this? Handlers ask only this interface ({@link RulePolicy} implements it).
 *
 * <p>A target is the flat attribute map Glance passes to oslo.policy (see {@link Targets}). A
 * denied action is a 403 — unless the caller cannot see the image at all, which handlers decide
 * first and answer 404 (spec/images-api.md §0.6).
 */
public interface Policy {
  /** {@code context_is_admin} for a newly authenticated caller. */
  boolean isAdmin(Set<String> roles, String projectId);

  /**
   * {@code context_is_admin} with every credential of a newly authenticated caller (its
   * {@code admin} flag is ignored): for rules that look at more than roles and project, e.g.
   * {@code user_id:...} or {@code system_scope:all}. The auth layer sets {@link Caller#admin} from it.
   */
  default boolean isAdmin(Caller caller) {
    return isAdmin(caller.roles(), caller.projectId());
  }

  boolean allows(Action action, Caller caller, Map<String, String> target);

  /**
   * Evaluates any named rule as oslo.policy's {@code enforce(..., registered=False)} does: no
   * scope check and no Glance API-layer checks; an unknown rule fails. Property protections in
   * the {@code policies} format use it (spec/security.md §2.1).
   */
  boolean check(String rule, Caller caller, Map<String, String> target);
}
