package io.imago;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imago config}: the options in force, printed as a configuration file. */
class MainTest {
  @TempDir
  Path tmp;

  @Test
  void printedConfigurationLoadsBackToTheSameConfiguration() throws Exception {
    Map<String, String> changes = Map.of("http.port", "8080", "images.image_size_cap", "5GiB",
        "images.disk_formats", "raw,qcow2", "http.shutdown_timeout", "90s", "database.embedded.fsync", "false",
        "http.public_endpoint", "https://images.example.org", "node_id", "node-7");
    String printed = Main.Config.yaml(ConfigLoader.effective(null, Map.of(), changes));
    Path file = Files.writeString(tmp.resolve("printed.yaml"), printed, StandardCharsets.UTF_8);

    assertThat(ConfigLoader.load(file, Map.of(), Map.of())).isEqualTo(ConfigLoader.defaults(changes));
    assertThat(printed).contains("http:\n  bind: 127.0.0.1\n  port: 8080\n").contains("shutdown_timeout: 90s");
  }

  @Test
  void theKeystonePasswordIsMasked() {
    String printed = Main.Config.yaml(ConfigLoader.effective(null, Map.of(), Map.of("auth.strategy", "keystone",
        "auth.keystone_authtoken.auth_url", "http://ks:5000", "auth.keystone_authtoken.username", "imago",
        "auth.keystone_authtoken.password", "s3cret", "auth.keystone_authtoken.project_name", "service")));
    assertThat(printed).contains("password: '***'").doesNotContain("s3cret");
  }

  @Test
  void theDatabasePasswordIsMasked() {
    String printed = Main.Config.yaml(ConfigLoader.effective(null, Map.of(),
        Map.of("database.url", "postgresql://imago:s3cret@db.example.org:5432/imago")));
    assertThat(printed).contains("url: postgresql://imago:***@db.example.org:5432/imago").doesNotContain("s3cret");

    assertThat(Main.Config.maskPassword("postgres://u@h/db")).isEqualTo("postgres://u@h/db");
    assertThat(Main.Config.maskPassword("postgresql://h/db?user=u&password=p&sslmode=disable"))
        .isEqualTo("postgresql://h/db?user=u&password=***&sslmode=disable");
  }
}
