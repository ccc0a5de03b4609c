package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian {@code openstack} CLI (python-openstackclient 6.0 over openstacksdk) against Imago.
 * Without Keystone it is configured through its environment: {@code OS_AUTH_TYPE=none} and
 * {@code OS_ENDPOINT=<imago>} (keystoneauth's "none" plugin: no token, the endpoint given as is;
 * openstacksdk then discovers the API version from {@code GET /}). Images are named by id so that
 * only {@code image list} depends on the list endpoint. Skipped only when {@code openstack} is not
 * installed ({@code .ci/run} installs it).
 */
class OpenstackCliIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http http = server.http();

  @TempDir
  static Path tmp;

  private Cli openstack;

  @BeforeAll
  static void requireOpenstack() {
    assumeTrue(Cli.installed("openstack"),
        "the openstack CLI is not installed (apt-get install python3-openstackclient)");
  }

  @BeforeEach
  void client() {
    openstack = new Cli(tmp, List.of("openstack"), Map.of("OS_AUTH_TYPE", "none", "OS_ENDPOINT", server.baseUrl()));
  }

  @Test
  void createWithFileShowAndSave() throws Exception {
    byte[] data = Fixtures.bytes(1024 * 1024 + 9, 61);
    Path file = Files.write(tmp.resolve("osc-create.img"), data);

    JsonObject created = json(openstack.run("image", "create", "--disk-format", "raw", "--container-format", "bare",
        "--property", "os_distro=debian", "--file", file.toString(), "osc-create", "-f", "json").ok());
    String id = created.getString("id");
    assertThat(created.getString("name")).isEqualTo("osc-create");
    assertThat(created.getJsonObject("properties").getString("os_distro")).isEqualTo("debian");

    JsonObject overHttp = http.get("/v2/images/" + id).expect(200).json();
    assertThat(overHttp.getString("status")).isEqualTo("active");
    assertThat(overHttp.getLong("size")).isEqualTo(data.length);
    assertThat(overHttp.getString("checksum")).isEqualTo(Fixtures.md5(data));
    assertThat(overHttp.getString("os_hash_value")).isEqualTo(Fixtures.sha512(data));

    JsonObject shown = json(openstack.run("image", "show", id, "-f", "json").ok());
    assertThat(shown.getString("id")).isEqualTo(id);
    assertThat(shown.getString("status")).isEqualTo("active");
    assertThat(shown.getLong("size")).isEqualTo(data.length);
    assertThat(shown.getString("checksum")).isEqualTo(Fixtures.md5(data));
    assertThat(shown.getJsonObject("properties").getString("os_distro")).isEqualTo("debian");
    assertThat(shown.getJsonObject("properties").getString("os_hash_value")).isEqualTo(Fixtures.sha512(data));

    Path out = tmp.resolve("osc-create.out");
    openstack.run("image", "save", "--file", out.toString(), id).ok();
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
  }

  @Test
  void listIncludesTheImage() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 62));

    JsonArray listed = new JsonArray(openstack.run("image", "list", "-f", "json").ok().out());
    assertThat(listed.stream().map(o -> ((JsonObject) o).getString("ID"))).contains(id);
  }

  @Test
  void setAddsProperties() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 63));

    openstack.run("image", "set", "--property", "k=v", "--property", "hw_disk_bus=scsi", "--name", "osc-renamed",
        id).ok();

    JsonObject image = http.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("k")).isEqualTo("v");
    assertThat(image.getString("hw_disk_bus")).isEqualTo("scsi");
    assertThat(image.getString("name")).isEqualTo("osc-renamed");
    JsonObject shown = json(openstack.run("image", "show", id, "-f", "json").ok());
    assertThat(shown.getJsonObject("properties").getString("k")).isEqualTo("v");
  }

  @Test
  void deleteRemovesTheImage() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 64));

    openstack.run("image", "delete", id).ok();
    http.get("/v2/images/" + id).expect(404);
    openstack.run("image", "show", id).failed();
  }

  private static JsonObject json(Cli.Result r) {
    return new JsonObject(r.out());
  }
}
