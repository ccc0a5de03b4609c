package io.imago.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Parsing Keystone v3 token bodies, as Keystone 22 (Zed) returns them from GET /v3/auth/tokens. */
class TokenInfoTest {
  private static final String PROJECT_TOKEN = """
      {"token": {"methods": ["password"],
        "user": {"domain": {"id": "default", "name": "Default"}, "id": "u1", "name": "a-member",
                 "password_expires_at": null},
        "audit_ids": ["5ARAXabjR9G3H-UKxMuC4w"],
        "expires_at": "2026-11-22T08:54:06.000000Z", "issued_at": "2026-11-22T07:54:06.000000Z",
        "project": {"domain": {"id": "default", "name": "Default"}, "id": "p1", "name": "imago-a"},
        "is_domain": false,
        "roles": [{"id": "r1", "name": "Reader"}, {"id": "r2", "name": "member"}]}}
      """;

  @Test
  void aProjectScopedTokenGivesUserProjectAndLowerCasedRoles() {
    TokenInfo t = TokenInfo.parse(new JsonObject(PROJECT_TOKEN));
    assertThat(t.userId()).isEqualTo("u1");
    assertThat(t.userName()).isEqualTo("a-member");
    assertThat(t.userDomainId()).isEqualTo("default");
    assertThat(t.projectId()).isEqualTo("p1");
    assertThat(t.projectName()).isEqualTo("imago-a");
    assertThat(t.projectDomainId()).isEqualTo("default");
    assertThat(t.systemScope()).isFalse();
    assertThat(t.domainId()).isNull();
    assertThat(t.roles()).containsExactlyInAnyOrder("reader", "member");
    assertThat(t.expiresAt()).isEqualTo(Instant.parse("2026-11-22T08:54:06Z"));
    assertThat(t.expiredAt(Instant.parse("2026-11-22T08:54:05Z"))).isFalse();
    assertThat(t.expiredAt(Instant.parse("2026-11-22T08:54:06Z"))).isTrue();
  }

  @Test
  void aSystemScopedTokenHasNoProject() {
    TokenInfo t = TokenInfo.parse(new JsonObject("""
        {"token": {"user": {"id": "admin-id", "name": "admin", "domain": {"id": "default"}},
          "expires_at": "2026-11-22T08:54:07.000000Z", "system": {"all": true},
          "roles": [{"id": "x", "name": "admin"}, {"id": "y", "name": "reader"}]}}
        """));
    assertThat(t.systemScope()).isTrue();
    assertThat(t.projectId()).isNull();
    assertThat(t.roles()).containsExactlyInAnyOrder("admin", "reader");
  }

  @Test
  void aDomainScopedTokenHasItsDomainAndNoProject() {
    TokenInfo t = TokenInfo.parse(new JsonObject("""
        {"token": {"user": {"id": "u"}, "expires_at": "2026-11-22T08:54:07Z",
          "domain": {"id": "d1", "name": "Default"}, "roles": []}}
        """));
    assertThat(t.domainId()).isEqualTo("d1");
    assertThat(t.projectId()).isNull();
    assertThat(t.systemScope()).isFalse();
    assertThat(t.roles()).isEmpty();
  }

  @Test
  void anUnscopedTokenWithoutRolesParses() {
    TokenInfo t = TokenInfo.parse(new JsonObject("{\"token\": {\"user\": {\"id\": \"u\"}, "
        + "\"expires_at\": \"2026-11-22T08:54:07.000000Z\"}}"));
    assertThat(t.roles()).isEmpty();
    assertThat(t.projectId()).isNull();
  }

  @Test
  void bodiesThatAreNotTokensAreRefused() {
    assertThatThrownBy(() -> TokenInfo.parse(new JsonObject("{}"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenInfo.parse(new JsonObject("{\"token\": {\"expires_at\": \"2026-11-22T08:54:07Z\"}}")))
        .hasMessageContaining("user id");
    assertThatThrownBy(() -> TokenInfo.parse(new JsonObject("{\"token\": {\"user\": {\"id\": \"u\"}, "
        + "\"expires_at\": \"tomorrow\"}}"))).hasMessageContaining("expires_at");
    assertThatThrownBy(() -> TokenInfo.parse(new JsonObject("{\"token\": {\"user\": {\"id\": 5}, "
        + "\"expires_at\": \"2026-11-22T08:54:07Z\"}}"))).hasMessageContaining("user id");
  }

  @Test
  void malformedRoleEntriesAreSkipped() {
    TokenInfo t = TokenInfo.parse(new JsonObject("""
        {"token": {"user": {"id": "u"}, "expires_at": "2026-11-22T08:54:07Z",
          "roles": [{"id": "x"}, "member", {"name": 3}, {"name": " Admin "}]}}
        """));
    assertThat(t.roles()).containsExactly("admin");
  }
}
