package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.Fixtures;
import io.imago.testing.KeystoneImago;
import io.imago.testing.TestKeystone;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian {@code openstack} CLI logging in to the real Keystone with a password, exactly as a
 * user of a cloud does, finding Imago in the service catalog (the test moves the image endpoint to
 * this test's Imago) and calling it in {@code keystone} mode with the token it got. Skipped when
 * {@code openstack} or Keystone is not installed.
 */
class KeystoneOpenstackCliIT {
  @RegisterExtension
  static final KeystoneImago imago = new KeystoneImago();

  @TempDir
  static Path tmp;

  @BeforeAll
  static void requireOpenstack() {
    assumeTrue(Cli.installed("openstack"),
        "the openstack CLI is not installed (apt-get install python3-openstackclient)");
    imago.keystone().moveImageEndpoint(imago.server().baseUrl());
  }

  private static Cli as(String user) {
    TestKeystone ks = imago.keystone();
    JsonObject u = ks.info().getJsonObject("users").getJsonObject(user);
    return new Cli(tmp, List.of("openstack"), Map.of(
        "OS_AUTH_URL", ks.url(),
        "OS_IDENTITY_API_VERSION", "3",
        "OS_USERNAME", user,
        "OS_PASSWORD", u.getString("password"),
        "OS_PROJECT_NAME", u.getString("project"),
        "OS_USER_DOMAIN_NAME", "Default",
        "OS_PROJECT_DOMAIN_NAME", "Default"));
  }

  @Test
  void aMemberCreatesSavesAndListsAReaderIsRefused() throws Exception {
    byte[] data = Fixtures.bytes(512 * 1024 + 3, 71);
    Path file = Files.write(tmp.resolve("ks-osc.img"), data);
    Cli member = as("a-member");

    JsonObject created = new JsonObject(member.run("image", "create", "--disk-format", "raw", "--container-format",
        "bare", "--file", file.toString(), "ks-osc", "-f", "json").ok().out());
    String id = created.getString("id");
    assertThat(created.getString("owner")).isEqualTo(imago.keystone().projectId("imago-a"));

    Path out = tmp.resolve("ks-osc.out");
    member.run("image", "save", "--file", out.toString(), id).ok();
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
    JsonArray listed = new JsonArray(member.run("image", "list", "-f", "json").ok().out());
    assertThat(listed.stream().map(o -> ((JsonObject) o).getString("ID"))).contains(id);

    Cli.Result refused = as("a-reader").run("image", "create", "--disk-format", "raw", "--container-format", "bare",
        "ks-osc-reader");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("403");
    // another project does not see project A's image
    assertThat(as("b-member").run("image", "show", id).failed().err()).containsIgnoringCase("no image");
  }
}
