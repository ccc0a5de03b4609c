package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
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
 * The Debian {@code glance} CLI's {@code md-*} commands (python-glanceclient 4.1), unchanged,
 * against Imago: namespaces, properties, objects, tags and resource types, checked in the CLI's
 * output and over HTTP. (Debian 12's python-openstackclient 6.0 has no {@code image metadef}
 * commands yet.) Skipped when {@code glance} is not installed.
 */
class GlanceMetadefsCliIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  @TempDir
  static Path tmp;

  private final Http http = server.http();
  private Cli glance;

  @BeforeAll
  static void requireGlance() {
    assumeTrue(Cli.installed("glance"), "the glance CLI is not installed (apt-get install python3-glanceclient)");
  }

  @BeforeEach
  void client() {
    glance = new Cli(tmp, List.of("glance", "--os-image-url", server.baseUrl(), "--os-auth-token", "any-token"),
        Map.of());
  }

  @Test
  void namespacesPropertiesObjectsTagsAndResourceTypes() throws Exception {
    Map<String, String> ns = glance.run("md-namespace-create", "CliNS", "--display-name", "Cli NS",
        "--description", "from the CLI", "--visibility", "public").ok().properties();
    assertThat(ns).containsEntry("namespace", "CliNS").containsEntry("visibility", "public")
        .containsEntry("display_name", "Cli NS");
    assertThat(glance.run("md-namespace-list").ok().out()).contains("CliNS");

    glance.run("md-property-create", "CliNS", "--name", "cpu_model", "--title", "CPU model", "--schema",
        "{\"type\": \"string\", \"enum\": [\"a\", \"b\"], \"description\": \"d\"}").ok();
    assertThat(glance.run("md-property-show", "CliNS", "cpu_model").ok().properties())
        .containsEntry("name", "cpu_model").containsEntry("type", "string");
    assertThat(glance.run("md-property-list", "CliNS").ok().out()).contains("cpu_model");
    glance.run("md-property-update", "CliNS", "cpu_model", "--title", "CPU").ok();

    glance.run("md-object-create", "CliNS", "--name", "obj", "--schema",
        "{\"description\": \"o\", \"properties\": {\"x\": {\"type\": \"integer\", \"title\": \"X\"}}}").ok();
    assertThat(glance.run("md-object-list", "CliNS").ok().out()).contains("obj");
    assertThat(glance.run("md-object-show", "CliNS", "obj").ok().out()).contains("obj");
    assertThat(glance.run("md-object-property-show", "CliNS", "obj", "x").ok().out()).contains("integer");

    glance.run("md-tag-create", "CliNS", "--name", "one").ok();
    assertThat(glance.run("md-tag-list", "CliNS").ok().out()).contains("one");
    // replaces the tags (glanceclient 4.1's --append sends a boolean header value and fails
    // before any request; appending is covered over HTTP in MetadefsIT)
    glance.run("md-tag-create-multiple", "CliNS", "--names", "two,three").ok();
    String tags = glance.run("md-tag-list", "CliNS").ok().out();
    assertThat(tags).contains("two", "three").doesNotContain("one");
    glance.run("md-tag-update", "CliNS", "two", "--name", "dos").ok();
    assertThat(glance.run("md-tag-show", "CliNS", "dos").ok().properties()).containsEntry("name", "dos");
    glance.run("md-tag-delete", "CliNS", "dos").ok();

    glance.run("md-resource-type-associate", "CliNS", "--name", "OS::Glance::Image", "--prefix", "hw_").ok();
    assertThat(glance.run("md-resource-type-list").ok().out()).contains("OS::Glance::Image");
    assertThat(glance.run("md-namespace-resource-type-list", "CliNS").ok().out()).contains("OS::Glance::Image");

    JsonObject shown = http.get("/v2/metadefs/namespaces/CliNS").expect(200).json();
    assertThat(shown.getJsonObject("properties").getJsonObject("cpu_model").getString("title")).isEqualTo("CPU");
    assertThat(shown.getJsonArray("objects")).hasSize(1);
    assertThat(shown.getJsonArray("tags")).hasSize(1);
    assertThat(glance.run("md-namespace-show", "CliNS", "--resource-type", "OS::Glance::Image").ok().out())
        .contains("hw_cpu_model");

    glance.run("md-namespace-update", "CliNS", "--description", "changed", "--protected", "True").ok();
    glance.run("md-namespace-delete", "CliNS").failed();
    glance.run("md-namespace-update", "CliNS", "--protected", "False").ok();
    glance.run("md-resource-type-deassociate", "CliNS", "OS::Glance::Image").ok();
    glance.run("md-namespace-tags-delete", "CliNS").ok();
    glance.run("md-namespace-objects-delete", "CliNS").ok();
    glance.run("md-namespace-properties-delete", "CliNS").ok();
    glance.run("md-object-delete", "CliNS", "obj").failed();
    glance.run("md-namespace-delete", "CliNS").ok();
    http.get("/v2/metadefs/namespaces/CliNS").expect(404);
  }

  @Test
  void importsADefinitionFile() throws Exception {
    Path file = Path.of("/usr/share/glance-common/metadefs/compute-watchdog.json");
    assumeTrue(Files.exists(file), "Debian's glance-common is not installed");
    glance.run("md-namespace-import", "--file", file.toString()).ok();
    JsonObject ns = http.get("/v2/metadefs/namespaces/OS::Compute::Watchdog").expect(200).json();
    assertThat(ns.getJsonObject("properties").fieldNames()).contains("watchdog_action");
    assertThat(ns.getJsonArray("resource_type_associations")).hasSize(3);
  }
}
