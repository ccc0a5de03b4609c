package io.imago.auth;

import static java.util.Objects.requireNonNull;

import io.imago.config.AuthConfig;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code noauth} strategy: trusts the identity headers keystonemiddleware sets for Glance's
 * context middleware (spec/keystone.md §2.1, §3). A request that carries none of them acts as the
 * configured default caller (by default an admin of project {@code admin}), so that the
 * {@code glance} CLI works out of the box with any {@code --os-auth-token}.
 *
 * <p>When identity headers are present, {@code X-Identity-Status} other than {@code Confirmed}
 * is a 401, as in Glance; when it is absent the headers are taken as confirmed.
 */
public final class TrustedHeadersAuthenticator implements Authenticator {
  private static final List<String> IDENTITY_HEADERS = List.of(
      "X-Identity-Status", "X-Roles", "X-Role", "X-Project-Id", "X-Tenant-Id", "X-Tenant", "X-User-Id");

  private final AuthConfig config;
  private final AdminCheck admin;

  public TrustedHeadersAuthenticator(AuthConfig config, AdminCheck admin) {
    this.config = requireNonNull(config, "config");
    this.admin = requireNonNull(admin, "admin");
  }

  @Override
  public Future<Caller> authenticate(MultiMap h, String requestId) {
    boolean any = IDENTITY_HEADERS.stream().anyMatch(h::contains);
    if (!any) {
      Set<String> roles = lower(config.defaultRoles());
      return Future.succeededFuture(caller(config.defaultUserId(), config.defaultProjectId(), roles, requestId));
    }
    String status = h.get("X-Identity-Status");
    // Glance compares exactly: "confirmed" is not confirmed (its context middleware, keystone.md §3)
    if (status != null && !status.equals("Confirmed")) {
      return Future.failedFuture(new ImagoException(ErrorKind.UNAUTHENTICATED,
          "This server could not verify that you are authorized to access the document you requested."));
    }
    String project = first(h, "X-Project-Id", "X-Tenant-Id", "X-Tenant");
    String user = first(h, "X-User-Id", "X-User");
    String roleList = first(h, "X-Roles", "X-Role");
    Set<String> roles = roleList == null ? Set.of() : lower(List.of(roleList.split(",")));
    return Future.succeededFuture(caller(user, project, roles, requestId));
  }

  /** {@code context_is_admin} sees every credential (a policy file may test {@code user_id}, not only roles). */
  private Caller caller(String user, String project, Set<String> roles, String requestId) {
    Caller plain = new Caller(user, project, roles, false, false, requestId);
    return admin.isAdmin(plain) ? new Caller(user, project, roles, true, false, requestId) : plain;
  }

  private static String first(MultiMap h, String... names) {
    for (String n : names) {
      String v = h.get(n);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  private static Set<String> lower(List<String> roles) {
    Set<String> out = new LinkedHashSet<>();
    for (String r : roles) {
      if (!r.isBlank()) {
        out.add(r.trim().toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }
}
