package io.imago.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.config.ConfigException;
import io.imago.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code use_keystone_limits: true} needs the Keystone service user's credentials: without them
 * the start refuses, saying which options are missing.
 */
class KeystoneLimitsStartTest {
  @TempDir
  Path tmp;

  @Test
  void startRefusesKeystoneLimitsWithoutKeystoneCredentialsBeforeTouchingAnything() throws Exception {
    Path dataDir = tmp.resolve("data");
    var config = ConfigLoader.defaults(Map.of("quotas.use_keystone_limits", "true", "data_dir", dataDir.toString(),
        "http.port", "0"));
    assertThatThrownBy(() -> App.start(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("quotas.use_keystone_limits")
        .hasMessageContaining("auth.keystone_authtoken.auth_url");
    assertThat(Files.exists(dataDir)).isFalse();
  }
}
