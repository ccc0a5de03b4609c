package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.io.RandomAccessFile;
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
 * The Debian {@code glance} CLI (python-glanceclient 4.1), unchanged, against Imago, exactly as an
 * operator calls it: {@code glance --os-image-url <url> --os-auth-token <anything> …}. Without
 * identity headers Imago's noauth mode acts as an admin of project {@code admin}. Every verb of the
 * issue is covered; outcomes are checked in the CLI's output and again over HTTP. Skipped only
 * when {@code glance} is not installed ({@code .ci/run} installs it).
 */
class GlanceCliIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http http = server.http();

  @TempDir
  static Path tmp;

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
  void createWithFileShowAndDownloadVerifyingChecksums() throws Exception {
    byte[] data = Fixtures.bytes(2 * 1024 * 1024 + 5, 51);
    Path file = write("g-create.img", data);

    Map<String, String> created = glance.run("image-create", "--name", "g-create", "--disk-format", "raw",
        "--container-format", "bare", "--property", "os_distro=debian", "--file", file.toString()).ok().properties();
    String id = created.get("id");
    assertThat(created).containsEntry("name", "g-create").containsEntry("status", "active")
        .containsEntry("size", Integer.toString(data.length)).containsEntry("checksum", Fixtures.md5(data))
        .containsEntry("os_hash_algo", "sha512").containsEntry("os_hash_value", Fixtures.sha512(data))
        .containsEntry("os_distro", "debian").containsEntry("disk_format", "raw")
        .containsEntry("container_format", "bare").containsEntry("visibility", "shared");

    JsonObject overHttp = http.get("/v2/images/" + id).expect(200).json();
    assertThat(overHttp.getString("status")).isEqualTo("active");
    assertThat(overHttp.getString("os_hash_value")).isEqualTo(Fixtures.sha512(data));
    assertThat(overHttp.getString("os_distro")).isEqualTo("debian");

    Map<String, String> shown = glance.run("image-show", id).ok().properties();
    assertThat(shown).containsEntry("id", id).containsEntry("name", "g-create").containsEntry("status", "active")
        .containsEntry("checksum", Fixtures.md5(data)).containsEntry("os_distro", "debian");

    // The CLI checks what it receives against os_hash_value: flip one byte of the stored blob
    // (first, so that no cache in front of the store holds the good bytes yet), then restore it.
    // A server with a verifying cache may notice first and break the response off, as Glance's
    // does; either way corrupt data is never a successful download.
    flipByte(blobOf(id), 1000);
    Cli.Result corrupt = glance.run("image-download", id, "--file", tmp.resolve("g-corrupt.out").toString())
        .failed();
    assertThat(corrupt.err()).containsAnyOf("Corrupt image download", "Connection broken");
    flipByte(blobOf(id), 1000);

    Path out = tmp.resolve("g-create.out");
    glance.run("image-download", id, "--file", out.toString()).ok();
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
  }

  @Test
  void uploadToAQueuedImage() throws Exception {
    byte[] data = Fixtures.bytes(300_000, 52);
    String id = Fixtures.createImage(http, new JsonObject().put("name", "g-upload")).getString("id");

    glance.run("image-upload", "--file", write("g-upload.img", data).toString(), id).ok();

    JsonObject image = http.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("active");
    assertThat(image.getLong("size")).isEqualTo(data.length);
    assertThat(image.getString("checksum")).isEqualTo(Fixtures.md5(data));
    assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
  }

  @Test
  void listShowsImagesAndHidesHiddenOnes() throws Exception {
    Path file = write("g-list.img", Fixtures.bytes(1000, 53));
    String visible = glance.run("image-create", "--name", "g-list-visible", "--disk-format", "raw",
        "--container-format", "bare", "--file", file.toString()).ok().properties().get("id");
    String hidden = glance.run("image-create", "--name", "g-list-hidden", "--disk-format", "raw",
        "--container-format", "bare", "--hidden", "true", "--file", file.toString()).ok().properties().get("id");
    assertThat(http.get("/v2/images/" + hidden).expect(200).json().getBoolean("os_hidden")).isTrue();

    List<Map<String, String>> listed = glance.run("image-list").ok().rows();
    assertThat(listed).extracting(r -> r.get("ID")).contains(visible).doesNotContain(hidden);
    assertThat(listed).filteredOn(r -> r.get("ID").equals(visible)).extracting(r -> r.get("Name"))
        .containsExactly("g-list-visible");

    List<Map<String, String>> hiddenOnly = glance.run("image-list", "--hidden", "true").ok().rows();
    assertThat(hiddenOnly).extracting(r -> r.get("ID")).contains(hidden).doesNotContain(visible);
  }

  @Test
  void updateSetsAndRemovesPropertiesAndHidesTheImage() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 54));

    Map<String, String> updated = glance.run("image-update", id, "--name", "g-updated", "--property", "k=v",
        "--property", "hw_disk_bus=scsi", "--hidden", "true", "--min-ram", "256").ok().properties();
    assertThat(updated).containsEntry("name", "g-updated").containsEntry("k", "v")
        .containsEntry("hw_disk_bus", "scsi").containsEntry("os_hidden", "True").containsEntry("min_ram", "256");

    JsonObject image = http.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("name")).isEqualTo("g-updated");
    assertThat(image.getString("k")).isEqualTo("v");
    assertThat(image.getBoolean("os_hidden")).isTrue();
    assertThat(image.getInteger("min_ram")).isEqualTo(256);

    Map<String, String> removed = glance.run("image-update", id, "--remove-property", "k", "--hidden", "false")
        .ok().properties();
    assertThat(removed).doesNotContainKey("k").containsEntry("hw_disk_bus", "scsi")
        .containsEntry("os_hidden", "False");
    assertThat(http.get("/v2/images/" + id).expect(200).json().containsKey("k")).isFalse();
  }

  @Test
  void tagsAreAddedAndRemoved() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 55));

    glance.run("image-tag-update", id, "golden").ok();
    glance.run("image-tag-update", id, "debian-12").ok();
    assertThat(http.get("/v2/images/" + id).expect(200).json().getJsonArray("tags").getList())
        .containsExactlyInAnyOrder("golden", "debian-12");

    glance.run("image-tag-delete", id, "golden").ok();
    assertThat(http.get("/v2/images/" + id).expect(200).json().getJsonArray("tags").getList())
        .containsExactly("debian-12");
  }

  @Test
  void shareWithAnotherProject() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 56));
    Http projectB = http.as("project-b", "member", "reader");
    projectB.get("/v2/images/" + id).expect(404);

    List<Map<String, String>> created = glance.run("member-create", id, "project-b").ok().rows();
    assertThat(created).singleElement().satisfies(r -> assertThat(r)
        .containsEntry("Image ID", id).containsEntry("Member ID", "project-b").containsEntry("Status", "pending"));
    projectB.get("/v2/images/" + id).expect(200); // a member sees the image in any member status

    assertThat(glance.run("member-list", "--image-id", id).ok().rows())
        .extracting(r -> r.get("Member ID")).containsExactly("project-b");

    List<Map<String, String>> accepted = glance.run("member-update", id, "project-b", "accepted").ok().rows();
    assertThat(accepted).singleElement().satisfies(r -> assertThat(r).containsEntry("Status", "accepted"));
    assertThat(projectB.get("/v2/images/" + id + "/members/project-b").expect(200).json().getString("status"))
        .isEqualTo("accepted");

    glance.run("member-delete", id, "project-b").ok();
    projectB.get("/v2/images/" + id).expect(404);
    assertThat(glance.run("member-list", "--image-id", id).ok().rows()).isEmpty();
  }

  @Test
  void deactivateAndReactivate() {
    byte[] data = Fixtures.bytes(1000, 57);
    String id = Fixtures.activeImage(http, data);
    // the image's owner, without the admin role: deactivation blocks its downloads
    Http owner = http.as("admin", "member", "reader");

    glance.run("image-deactivate", id).ok();
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("deactivated");
    owner.get("/v2/images/" + id + "/file").expect(403);

    glance.run("image-reactivate", id).ok();
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("active");
    assertThat(owner.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(data);
  }

  @Test
  void deleteRemovesTheImage() {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 58));

    glance.run("image-delete", id).ok();
    http.get("/v2/images/" + id).expect(404);
    Cli.Result shown = glance.run("image-show", id).failed();
    assertThat(shown.err()).contains(id);
  }

  private static Path write(String name, byte[] data) throws Exception {
    return Files.write(tmp.resolve(name), data);
  }

  /** Where the file store keeps an image's data: {@code <data_dir>/images/<image id>}. */
  private static Path blobOf(String id) {
    Path blob = server.app().config().store().fileDir().resolve(id);
    assertThat(blob).exists();
    return blob;
  }

  private static void flipByte(Path file, long offset) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xff);
    }
  }
}
