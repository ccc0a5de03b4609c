package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Keystone settings, by Glance's option names: {@code [keystone_authtoken]} (how tokens are
 * validated, spec/keystone.md §2) and {@code [oslo_limit]} (where unified limits are read,
 * spec/security.md §5.2). The limits reader uses the same service user as the token validation.
 *
 * @param wwwAuthenticateUri sent in {@code WWW-Authenticate: Keystone uri="…"} on every 401; null:
 *     {@code authUrl}
 * @param authUrl Keystone's identity endpoint ({@code http://host:5000} or {@code …/v3})
 * @param username Imago's service user, which validates tokens (needs the {@code service} role)
 * @param tokenCacheTime how long a validated token is trusted without asking Keystone again (never
 *     beyond its {@code expires_at})
 * @param tokenCacheSize how many validated tokens are kept at most
 * @param serviceTokenRoles roles of an {@code X-Service-Token} that make it a service token: with
 *     one of them, an expired user token is accepted ({@code allow_expired})
 * @param serviceTokenRolesRequired a service token without such a role is ignored
 * @param httpConnectTimeout bound on connecting to Keystone
 * @param httpRequestTimeout bound on a whole Keystone call: beyond it the API answers 503
 * @param limitsEndpointId {@code [oslo_limit] endpoint_id}: the catalog endpoint whose service the
 *     limits are registered for; null: the first service of {@code limitsServiceType} in the catalog
 * @param limitsServiceType the catalog type used when no endpoint id is set
 * @param limitsSystemScope {@code [oslo_limit] system_scope}: {@code all} reads limits with a
 *     system-scoped token, {@code project} with the project-scoped one (Keystone shows a
 *     project-scoped token only its own project's limits)
 * @param limitsCacheTime how long a project's limits are reused
 */
public record KeystoneConfig(
    String wwwAuthenticateUri,
    String authUrl,
    String username,
    String password,
    String projectName,
    String userDomainName,
    String projectDomainName,
    Duration tokenCacheTime,
    int tokenCacheSize,
    List<String> serviceTokenRoles,
    boolean serviceTokenRolesRequired,
    Duration httpConnectTimeout,
    Duration httpRequestTimeout,
    String limitsEndpointId,
    String limitsServiceType,
    String limitsSystemScope,
    Duration limitsCacheTime) {

  public KeystoneConfig {
    requireNonNull(userDomainName, "userDomainName");
    requireNonNull(projectDomainName, "projectDomainName");
    requireNonNull(tokenCacheTime, "tokenCacheTime");
    serviceTokenRoles = List.copyOf(requireNonNull(serviceTokenRoles, "serviceTokenRoles"));
    requireNonNull(httpConnectTimeout, "httpConnectTimeout");
    requireNonNull(httpRequestTimeout, "httpRequestTimeout");
    requireNonNull(limitsServiceType, "limitsServiceType");
    requireNonNull(limitsCacheTime, "limitsCacheTime");
    if (tokenCacheSize < 1) {
      throw new ConfigException("auth.keystone_authtoken.token_cache_size: " + tokenCacheSize + " (expected: >= 1)");
    }
    if (httpRequestTimeout.isZero() || httpConnectTimeout.isZero()) {
      throw new ConfigException("auth.keystone_authtoken.http_*_timeout: expected more than 0");
    }
    requireNonNull(limitsSystemScope, "limitsSystemScope");
    if (!limitsSystemScope.equals("all") && !limitsSystemScope.equals("project")) {
      throw new ConfigException("auth.oslo_limit.system_scope: " + limitsSystemScope + " (expected: all or project)");
    }
  }

  /**
   * {@code auth.keystone_authtoken.*} and {@code auth.oslo_limit.*} and their defaults, Glance's
   * (keystonemiddleware's and oslo.limit's); no default for the service user.
   */
  static KeystoneConfig read(ConfigTree t) {
    return new KeystoneConfig(
        t.string("auth.keystone_authtoken.www_authenticate_uri", null),
        t.string("auth.keystone_authtoken.auth_url", null),
        t.string("auth.keystone_authtoken.username", null),
        t.string("auth.keystone_authtoken.password", null),
        t.string("auth.keystone_authtoken.project_name", null),
        t.string("auth.keystone_authtoken.user_domain_name", "Default"),
        t.string("auth.keystone_authtoken.project_domain_name", "Default"),
        t.duration("auth.keystone_authtoken.token_cache_time", Duration.ofSeconds(300)),
        t.integer("auth.keystone_authtoken.token_cache_size", 10000),
        t.list("auth.keystone_authtoken.service_token_roles", List.of("service")),
        t.bool("auth.keystone_authtoken.service_token_roles_required", false),
        t.duration("auth.keystone_authtoken.http_connect_timeout", Duration.ofSeconds(3)),
        t.duration("auth.keystone_authtoken.http_request_timeout", Duration.ofSeconds(5)),
        t.string("auth.oslo_limit.endpoint_id", null),
        t.string("auth.oslo_limit.endpoint_service_type", "image"),
        t.string("auth.oslo_limit.system_scope", "all"),
        t.duration("auth.oslo_limit.cache_time", Duration.ofSeconds(30)));
  }

  /** Checks what the {@code keystone} strategy cannot work without. */
  void requireComplete() {
    requireComplete("auth.strategy: keystone");
  }

  /** Checks what talking to Keystone needs; {@code who} names the option that needs it. */
  public void requireComplete(String who) {
    if (authUrl == null || username == null || password == null || projectName == null) {
      throw new ConfigException(who + " needs auth.keystone_authtoken.auth_url, username, password "
          + "and project_name");
    }
    if (!authUrl.startsWith("http://") && !authUrl.startsWith("https://")) {
      throw new ConfigException("auth.keystone_authtoken.auth_url: " + authUrl + " (expected: an http(s) URL)");
    }
  }

  /** The URI announced in {@code WWW-Authenticate}. */
  public String authenticateUri() {
    return wwwAuthenticateUri != null ? wwwAuthenticateUri : authUrl;
  }
}
