package io.imago.api;

import io.imago.db.MetadefRepository;
import io.imago.domain.Caller;
import io.imago.domain.ImagoException;
import io.imago.domain.metadef.Namespace;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.Targets;
import io.vertx.core.Future;

/**
 * Who may see and do what in the metadefs catalog (spec/metadefs.md §2 "Visibility", §7), as
 * Glance decides it: first the database's visibility rule (admins see everything; others public
 * namespaces, ownerless ones and their project's), then the policy rule with the namespace as
 * target. A denied rule is a 404 when the caller may not {@code get_metadef_namespace} either
 * (never reveal a namespace one cannot see), else a 403.
 */
public final class MetadefAccess {
  private final MetadefRepository repo;
  private final Policy policy;

  public MetadefAccess(MetadefRepository repo, Policy policy) {
    this.repo = repo;
    this.policy = policy;
  }

  MetadefRepository repo() {
    return repo;
  }

  /** The namespace by name if the caller may see it (database rule only); else 404. */
  Future<Namespace> visible(Caller caller, String name) {
    return repo.findNamespace(name).map(found -> found.filter(ns -> visibleTo(caller, ns))
        .orElseThrow(() -> notFound(name)));
  }

  static boolean visibleTo(Caller caller, Namespace ns) {
    return caller.admin() || ns.owner() == null || ns.isPublic() || caller.owns(ns.owner());
  }

  /** {@link #visible} and then {@code action} on it (404 or 403 as the class says). */
  Future<Namespace> forAction(Caller caller, String name, Action action) {
    return visible(caller, name).map(ns -> {
      require(caller, ns, action);
      return ns;
    });
  }

  void require(Caller caller, Namespace ns, Action action) {
    if (!allows(caller, ns, action)) {
      if (action == Action.GET_METADEF_NAMESPACE || !allows(caller, ns, Action.GET_METADEF_NAMESPACE)) {
        throw notFound(ns.namespace());
      }
      throw ImagoException.forbidden("You are not authorized to complete %s action.", action.ruleName());
    }
  }

  boolean allows(Caller caller, Namespace ns, Action action) {
    return policy.allows(action, caller, Targets.namespace(ns));
  }

  /** A rule about no namespace in particular (list calls): 403 when denied. */
  void requireGlobal(Caller caller, Action action) {
    if (!policy.allows(action, caller, Targets.project(caller))) {
      throw ImagoException.forbidden("You are not authorized to complete %s action.", action.ruleName());
    }
  }

  static ImagoException notFound(String name) {
    return ImagoException.notFound("Namespace %s not found", name);
  }
}
