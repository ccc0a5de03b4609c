package io.imago;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.app.App;
import io.imago.config.ConfigException;
import io.imago.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The service refuses to start on a policy or property protection file it cannot use
 * (spec/security.md §1.1, §2.3) — unlike the reference Glance, which starts and then answers
 * every image request with 400 (a bad protection file) or 500 (a policy file that is not YAML).
 * The files are read before anything else starts, so these tests need no database.
 */
class PolicyStartupTest {
  private static final String FOUR = "create = @\nread = @\nupdate = @\ndelete = @\n";

  @TempDir
  Path tmp;

  static Stream<Arguments> invalidConfigurations() {
    return Stream.of(
        Arguments.of("policy.policy_file", "policy.yaml", "get_images: \"role:admin or\"\n",
            "rule \"get_images\": \"role:admin or\" ends where a check was expected"),
        Arguments.of("policy.policy_file", "policy.json", "{\"get_images\": \"role:admin\"",
            "is neither valid YAML nor JSON"),
        Arguments.of("policy.policy_file", "policy.yaml", "a: rule:b\nb: rule:a\n",
            "rules refer to each other in a cycle: a -> b -> a"),
        Arguments.of("policy.property_protection_file", "pp.conf", "[^x_(]\n" + FOUR,
            "section [^x_(]: not a valid regular expression"),
        Arguments.of("policy.property_protection_file", "pp.conf", "[^x_]\ncreate = @\nread = @\nupdate = @\n",
            "section [^x_]: 'delete' is missing"),
        Arguments.of("policy.property_protection_file", "pp.conf",
            "[^x_]\ncreate = @, !\nread = @\nupdate = @\ndelete = @\n", "'create' combines '@' and '!'"));
  }

  @ParameterizedTest(name = "{0} = {1}: {3}")
  @MethodSource("invalidConfigurations")
  void appStartRefuses(String option, String name, String content, String message) throws Exception {
    Path f = Files.writeString(tmp.resolve(name), content);
    Map<String, String> o = options();
    o.put(option, f.toString());
    assertThatThrownBy(() -> App.start(ConfigLoader.defaults(o))).isInstanceOf(ConfigException.class)
        .hasMessageContaining(f.toString()).hasMessageContaining(message);
  }

  @Test
  void aCommaListInThePoliciesFormatIsRefused() throws Exception {
    Path f = Files.writeString(tmp.resolve("pp.conf"), "[^x_]\ncreate = a, b\nread = @\nupdate = @\ndelete = @\n");
    Map<String, String> o = options();
    o.put("policy.property_protection_file", f.toString());
    o.put("policy.property_protection_rule_format", "policies");
    assertThatThrownBy(() -> App.start(ConfigLoader.defaults(o))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("'create' lists several rules");
  }

  @Test
  void missingFilesAreRefused() {
    Map<String, String> o = options();
    o.put("policy.policy_file", tmp.resolve("absent.yaml").toString());
    assertThatThrownBy(() -> App.start(ConfigLoader.defaults(o))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("policy file not found: " + tmp.resolve("absent.yaml"));
    Map<String, String> p = options();
    p.put("policy.property_protection_file", tmp.resolve("absent.conf").toString());
    assertThatThrownBy(() -> App.start(ConfigLoader.defaults(p))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("property protection file not found: " + tmp.resolve("absent.conf"));
  }

  @Test
  void serveExitsWithStatus2AndSaysWhy() throws Exception {
    Path pp = Files.writeString(tmp.resolve("pp.conf"), "[^x_]\ncreate = admin\n");
    Path config = Files.writeString(tmp.resolve("imago.yaml"), "data_dir: " + tmp.resolve("data") + "\n"
        + "database:\n  url: postgresql://127.0.0.1:1/none\n"
        + "policy:\n  property_protection_file: " + pp + "\n");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("serve", "--config", config.toString());
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(2);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("imago: property protection file " + pp + ": section [^x_]: 'read' is missing");
  }

  /** A data directory of its own and a database nobody listens on, should the start get that far. */
  private Map<String, String> options() {
    Map<String, String> o = new HashMap<>();
    o.put("data_dir", tmp.resolve("data").toString());
    o.put("database.url", "postgresql://127.0.0.1:1/none");
    o.put("http.port", "0");
    return o;
  }
}
