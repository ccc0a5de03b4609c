package io.imago.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.ConfigLoader;
import io.imago.domain.Caller;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who decides that a noauth caller is an admin: the {@link AdminCheck} it is given (in the service,
 * the policy's {@code context_is_admin}), asked with the caller's whole identity, not only its roles.
 */
class TrustedHeadersAuthenticatorTest {
  private static Caller authenticate(AdminCheck admin, String... headers) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return new TrustedHeadersAuthenticator(ConfigLoader.defaults(Map.of()).auth(), admin).authenticate(h, "req-t")
        .result();
  }

  @Test
  void theAdminCheckSeesTheCallerAndDecides() {
    List<Caller> asked = new ArrayList<>();
    Caller root = authenticate(c -> asked.add(c) && c.userId().equals("root"),
        "X-User-Id", "root", "X-Project-Id", "p1", "X-Roles", "Reader");
    assertThat(root.admin()).isTrue();
    assertThat(root.roles()).containsExactly("reader");
    assertThat(asked).singleElement().satisfies(c -> {
      assertThat(c.userId()).isEqualTo("root");
      assertThat(c.projectId()).isEqualTo("p1");
      assertThat(c.admin()).as("asked before it is decided").isFalse();
    });
    assertThat(authenticate(c -> false, "X-User-Id", "alice", "X-Project-Id", "p1", "X-Roles", "admin").admin())
        .as("roles alone do not make an admin; the check does").isFalse();
  }

  @Test
  void theDefaultCallerIsAnAdminOnlyIfTheCheckSaysSo() {
    assertThat(authenticate(c -> c.roles().contains("admin")).admin()).isTrue();
    assertThat(authenticate(c -> false).admin()).isFalse();
  }
}
