package io.imago.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.config.AuthConfig;
import io.imago.config.ConfigException;
import io.imago.config.ConfigLoader;
import io.imago.config.KeystoneConfig;
import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import io.imago.policy.Action;
import io.imago.policy.DefaultPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The keystone strategy's options, and the rule that system-scoped callers are refused. */
class KeystoneConfigTest {
  private static final Map<String, String> MINIMAL = Map.of(
      "auth.strategy", "keystone",
      "auth.keystone_authtoken.auth_url", "http://keystone:5000",
      "auth.keystone_authtoken.username", "imago",
      "auth.keystone_authtoken.password", "pw",
      "auth.keystone_authtoken.project_name", "service");

  @Test
  void glanceNamedOptionsAndTheirDefaults() {
    AuthConfig auth = ConfigLoader.defaults(MINIMAL).auth();
    KeystoneConfig k = auth.keystone();
    assertThat(auth.keystoneStrategy()).isTrue();
    assertThat(k.authUrl()).isEqualTo("http://keystone:5000");
    assertThat(k.authenticateUri()).as("www_authenticate_uri defaults to auth_url").isEqualTo("http://keystone:5000");
    assertThat(k.userDomainName()).isEqualTo("Default");
    assertThat(k.projectDomainName()).isEqualTo("Default");
    assertThat(k.tokenCacheTime()).isEqualTo(Duration.ofSeconds(300));
    assertThat(k.serviceTokenRoles()).isEqualTo(List.of("service"));
    assertThat(k.serviceTokenRolesRequired()).isFalse();
    assertThat(k.limitsSystemScope()).isEqualTo("all");
    assertThat(k.limitsServiceType()).isEqualTo("image");
  }

  @Test
  void theKeystoneStrategyNeedsItsServiceUser() {
    assertThatThrownBy(() -> ConfigLoader.defaults(Map.of("auth.strategy", "keystone",
        "auth.keystone_authtoken.auth_url", "http://keystone:5000"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("username");
    Map<String, String> badUrl = new java.util.HashMap<>(MINIMAL);
    badUrl.put("auth.keystone_authtoken.auth_url", "keystone:5000");
    assertThatThrownBy(() -> ConfigLoader.defaults(badUrl)).hasMessageContaining("auth_url: keystone:5000");
    // noauth does not care about the keystone section
    assertThat(ConfigLoader.defaults(Map.of()).auth().keystoneStrategy()).isFalse();
  }

  @Test
  void aSystemScopedCallerIsRefusedEvenWithTheAdminRole() {
    DefaultPolicy policy = new DefaultPolicy(new PolicyConfig(true));
    Caller system = new Caller("u", null, Set.of("admin", "member", "reader"), true, false, "req-1", "all", null, Set.of());
    for (Action a : Action.values()) {
      assertThat(policy.allows(a, system, Map.of())).as(a.name()).isFalse();
    }
  }
}
