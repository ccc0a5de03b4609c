package io.imago.keystone;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a Keystone v3 token says about its holder: the {@code token} object of
 * {@code GET /v3/auth/tokens} (and of {@code POST /v3/auth/tokens}), reduced to what Glance's
 * request context uses (spec/keystone.md §2.1, §3).
 *
 * @param userId the user's id
 * @param userName the user's name
 * @param userDomainId the user's domain
 * @param projectId the project the token is scoped to, or null (domain- or system-scoped)
 * @param projectName that project's name, or null
 * @param projectDomainId that project's domain, or null
 * @param domainId the domain of a domain-scoped token, or null
 * @param systemScope the token is scoped to the system ({@code "system": {"all": true}})
 * @param roles the token's role names, lower-cased as Glance's context middleware does
 * @param expiresAt when the token stops being valid
 */
public record TokenInfo(String userId, String userName, String userDomainId, String projectId, String projectName,
    String projectDomainId, String domainId, boolean systemScope, Set<String> roles, Instant expiresAt) {

  public TokenInfo {
    roles = Set.copyOf(roles);
  }

  /**
   * Parses a token response body ({@code {"token": {...}}}).
   *
   * @throws IllegalArgumentException when it is not a Keystone v3 token (no user id or no
   *     readable {@code expires_at})
   */
  public static TokenInfo parse(JsonObject body) {
    JsonObject token = object(body, "token");
    if (token == null) {
      throw new IllegalArgumentException("no token object");
    }
    JsonObject user = object(token, "user");
    String userId = user == null ? null : string(user, "id");
    if (userId == null) {
      throw new IllegalArgumentException("token without user id");
    }
    String expires = string(token, "expires_at");
    Instant expiresAt;
    try {
      expiresAt = Instant.parse(expires == null ? "" : expires);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("token expires_at unreadable: " + expires);
    }
    JsonObject userDomain = object(user, "domain");
    JsonObject project = object(token, "project");
    JsonObject projectDomain = project == null ? null : object(project, "domain");
    JsonObject domain = object(token, "domain");
    JsonObject system = object(token, "system");
    boolean systemScope = system != null && Boolean.TRUE.equals(system.getValue("all"));
    Set<String> roles = new LinkedHashSet<>();
    Object rawRoles = token.getValue("roles");
    if (rawRoles instanceof JsonArray list) {
      for (Object r : list) {
        if (r instanceof JsonObject role && role.getValue("name") instanceof String name && !name.isBlank()) {
          roles.add(name.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return new TokenInfo(userId, string(user, "name"), userDomain == null ? null : string(userDomain, "id"),
        project == null ? null : string(project, "id"), project == null ? null : string(project, "name"),
        projectDomain == null ? null : string(projectDomain, "id"), domain == null ? null : string(domain, "id"),
        systemScope, roles, expiresAt);
  }

  /** Whether the token is past its expiry at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  private static JsonObject object(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof JsonObject j ? j : null;
  }

  private static String string(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof String s && !s.isEmpty() ? s : null;
  }
}
