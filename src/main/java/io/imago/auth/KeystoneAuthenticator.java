package io.imago.auth;

import static java.util.Objects.requireNonNull;

import io.imago.auth.TokenCache.Validation;
import io.imago.config.KeystoneConfig;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.imago.keystone.KeystoneClient.InvalidTokenException;
import io.imago.keystone.KeystoneClient;
import io.imago.keystone.TokenInfo;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code keystone} strategy: what keystonemiddleware's {@code auth_token} and Glance's context
 * middleware do together (spec/keystone.md §2, §3).
 *
 * <ul>
 *   <li>The user token is {@code X-Auth-Token} (or the legacy {@code X-Storage-Token}); identity
 *       headers sent by the client ({@code X-Roles}, {@code X-Project-Id}, …) are ignored: the
 *       identity comes from Keystone only.
 *   <li>An {@code X-Service-Token} is validated first; when valid and holding one of
 *       {@code service_token_roles}, an expired user token is accepted ({@code allow_expired}) and
 *       the service token's roles become the caller's service roles. An invalid service token is
 *       ignored, as with Glance's {@code delay_auth_decision=true}.
 *   <li>Missing, unknown or expired user token: 401 with {@code WWW-Authenticate: Keystone
 *       uri="…"}. Keystone unreachable or slow: 503 within {@code http_request_timeout}.
 *   <li>With {@code allow_anonymous_access}, a request without a valid token is an anonymous,
 *       read-only caller instead of a 401.
 *   <li>Roles are lower-cased; a system-scoped token gives a caller with no project and
 *       {@link Caller#systemScope()}, which Glance's project-scoped rules refuse.
 * </ul>
 *
 * <p>The token is checked once, when the request headers arrive; nothing later in the request
 * needs it, so an upload that outlives the token completes (§5).
 */
public final class KeystoneAuthenticator implements Authenticator {
  private static final String UNAUTHORIZED = "This server could not verify that you are authorized to access the "
      + "document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser "
      + "does not understand how to supply the credentials required.";

  private final KeystoneClient keystone;
  private final KeystoneConfig config;
  private final AdminCheck admin;
  private final TokenCache cache;
  private final Set<String> serviceTokenRoles;
  private final String wwwAuthenticate;
  private final boolean allowAnonymous;

  public KeystoneAuthenticator(KeystoneClient keystone, KeystoneConfig config, AdminCheck admin, Clock clock) {
    this(keystone, config, false, admin, clock);
  }

  /**
   * @param allowAnonymous Glance's {@code allow_anonymous_access}: a request without a valid token
   *     is an anonymous, read-only caller instead of a 401 (Keystone being down is still a 503)
   */
  public KeystoneAuthenticator(KeystoneClient keystone, KeystoneConfig config, boolean allowAnonymous,
      AdminCheck admin, Clock clock) {
    this.allowAnonymous = allowAnonymous;
    this.keystone = keystone;
    this.config = config;
    this.admin = requireNonNull(admin, "admin");
    this.cache = new TokenCache(config.tokenCacheTime(), config.tokenCacheSize(), clock);
    this.serviceTokenRoles = config.serviceTokenRoles().stream().map(r -> r.toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
    this.wwwAuthenticate = "Keystone uri=\"" + config.authenticateUri() + "\"";
  }

  @Override
  public String wwwAuthenticate() {
    return wwwAuthenticate;
  }

  @Override
  public Future<Caller> authenticate(MultiMap h, String requestId) {
    Future<Caller> caller = authenticateToken(h, requestId);
    if (!allowAnonymous) {
      return caller;
    }
    // Glance's anonymous context (spec/keystone.md §3): no user, project or roles, read-only
    return caller.recover(e -> e instanceof ImagoException ie && ie.kind() == ErrorKind.UNAUTHENTICATED
        ? Future.succeededFuture(new Caller(null, null, Set.of(), false, true, requestId))
        : Future.failedFuture(e));
  }

  private Future<Caller> authenticateToken(MultiMap h, String requestId) {
    Context ctx = Vertx.currentContext();
    String userToken = token(h, "X-Auth-Token");
    if (userToken == null) {
      userToken = token(h, "X-Storage-Token");
    }
    if (userToken == null) {
      return Future.failedFuture(unauthorized());
    }
    String user = userToken;
    String serviceToken = token(h, "X-Service-Token");
    Future<TokenInfo> service = serviceToken == null ? Future.succeededFuture() : check(serviceToken, false)
        .map(v -> {
          if (!v.valid()) {
            return null;
          }
          if (config.serviceTokenRolesRequired() && !holdsServiceRole(v.info())) {
            return null;
          }
          return v.info();
        });
    Future<Caller> caller = service.compose(svc -> {
      boolean allowExpired = svc != null && holdsServiceRole(svc);
      return check(user, allowExpired).compose(v -> v.valid()
          ? Future.succeededFuture(caller(v.info(), svc, requestId))
          : Future.failedFuture(unauthorized()));
    });
    // the validation may have completed on another event loop (a shared one): continue on ours
    return ctx == null ? caller : Future.fromCompletionStage(caller.toCompletionStage(), ctx);
  }

  private Future<Validation> check(String token, boolean allowExpired) {
    return cache.get(token, allowExpired, () -> keystone.validate(token, allowExpired)
        .map(Validation::new)
        .recover(e -> e instanceof InvalidTokenException
            ? Future.succeededFuture(Validation.INVALID) : Future.failedFuture(e)));
  }

  private boolean holdsServiceRole(TokenInfo info) {
    return info.roles().stream().anyMatch(serviceTokenRoles::contains);
  }

  private Caller caller(TokenInfo t, TokenInfo service, String requestId) {
    Set<String> serviceRoles = service == null ? Set.of() : service.roles();
    Caller caller = new Caller(t.userId(), t.projectId(), t.roles(), false, false, requestId,
        t.systemScope() ? "all" : null, t.projectId() == null ? t.domainId() : null, serviceRoles);
    // A system-, domain-scoped or unscoped token has no project: never an admin of images (every
    // image rule is project-scoped, and admins bypass the visibility filters)
    if (t.projectId() == null || !admin.isAdmin(caller)) {
      return caller;
    }
    return new Caller(caller.userId(), caller.projectId(), caller.roles(), true, false, requestId,
        caller.systemScope(), caller.domainId(), serviceRoles);
  }

  private ImagoException unauthorized() {
    return new ImagoException(ErrorKind.UNAUTHENTICATED, Map.of("WWW-Authenticate", wwwAuthenticate), null,
        UNAUTHORIZED);
  }

  private static String token(MultiMap h, String name) {
    String v = h.get(name);
    if (v == null) {
      return null;
    }
    v = v.strip();
    return v.isEmpty() ? null : v;
  }

  /** The validations currently cached (tests). */
  TokenCache cache() {
    return cache;
  }
}
