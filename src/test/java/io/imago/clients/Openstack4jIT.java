package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.image.v2.ImageService;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.common.Payloads;
import org.openstack4j.model.image.v2.ContainerFormat;
import org.openstack4j.model.image.v2.DiskFormat;
import org.openstack4j.model.image.v2.Image;
import org.openstack4j.model.image.v2.Member;
import org.openstack4j.openstack.OSFactory;

/**
 * openstack4j, a real Java Glance client, end to end against Imago: it authenticates against a
 * fake Keystone whose catalog names Imago as the image service, then creates, uploads, lists,
 * shows, updates (PATCH), downloads and deletes images. Each test makes its own image so that one
 * failing operation does not hide the others. Outcomes are checked through openstack4j and again
 * over plain HTTP.
 */
class Openstack4jIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private static FakeKeystone keystone;

  private final Http http = server.http();
  private ImageService images;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startKeystone() throws Exception {
    keystone = FakeKeystone.start(server.baseUrl());
  }

  @AfterAll
  static void stopKeystone() {
    if (keystone != null) {
      keystone.close();
    }
  }

  @BeforeEach
  void authenticate() {
    OSClientV3 os = OSFactory.builderV3()
        .endpoint(keystone.authUrl())
        .credentials("admin", "secret", Identifier.byName("Default"))
        .scopeToProject(Identifier.byName(FakeKeystone.PROJECT), Identifier.byName("Default"))
        .authenticate();
    assertThat(os.getToken().getId()).isIn(keystone.issuedTokens());
    images = os.imagesV2();
  }

  @Test
  void createUploadShowAndDownload() throws Exception {
    byte[] data = Fixtures.bytes(1024 * 1024 + 3, 41);
    Image created = images.create(Builders.imageV2().name("o4j-data").diskFormat(DiskFormat.RAW)
        .containerFormat(ContainerFormat.BARE).minDisk(1L).osDistro("debian").additionalProperty("hw_qemu_guest_agent", "yes").build());
    assertThat(created.getId()).isNotBlank();
    assertThat(created.getStatus()).isEqualTo(Image.ImageStatus.QUEUED);
    assertThat(created.getName()).isEqualTo("o4j-data");
    assertThat(created.getOwner()).isEqualTo(FakeKeystone.PROJECT);

    ActionResponse uploaded = images.upload(created.getId(), Payloads.create(new ByteArrayInputStream(data)), created);
    assertThat(uploaded.isSuccess()).as("upload: %s", uploaded).isTrue();

    Image shown = images.get(created.getId());
    assertThat(shown.getStatus()).isEqualTo(Image.ImageStatus.ACTIVE);
    assertThat(shown.getSize()).isEqualTo(data.length);
    assertThat(shown.getChecksum()).isEqualTo(Fixtures.md5(data));
    assertThat(shown.getDiskFormat()).isEqualTo(DiskFormat.RAW);
    assertThat(shown.getContainerFormat()).isEqualTo(ContainerFormat.BARE);
    assertThat(shown.getMinDisk()).isEqualTo(1L);
    assertThat(shown.getOsDistro()).isEqualTo("debian");
    assertThat(shown.getAdditionalPropertyValue("hw_qemu_guest_agent")).isEqualTo("yes");
    assertThat(shown.getCreatedAt()).isNotNull();

    File out = tmp.resolve("download.img").toFile();
    ActionResponse downloaded = images.download(created.getId(), out);
    assertThat(downloaded).isNotNull();
    assertThat(downloaded.isSuccess()).as("download: %s", downloaded).isTrue();
    assertThat(Files.readAllBytes(out.toPath())).isEqualTo(data);

    JsonObject overHttp = http.get("/v2/images/" + created.getId()).expect(200).json();
    assertThat(overHttp.getString("os_hash_value")).isEqualTo(Fixtures.sha512(data));
    assertThat(overHttp.getString("os_distro")).isEqualTo("debian");
    assertThat(overHttp.getString("hw_qemu_guest_agent")).isEqualTo("yes");
  }

  @Test
  void showOfAMissingImageIsNull() {
    assertThat(images.get("9b1f7d3c-0000-4000-8000-000000000000")).isNull();
  }

  @Test
  void listFindsTheImage() {
    String id = activeImage("o4j-list", Fixtures.bytes(1000, 42));

    List<? extends Image> all = images.list();
    assertThat(all).extracting(Image::getId).contains(id);
    List<? extends Image> byName = images.list(Map.of("name", "o4j-list"));
    assertThat(byName).extracting(Image::getId).containsExactly(id);
  }

  /** openstack4j GETs the image, diffs, and PATCHes with {@code application/json} (DEPENDENCIES.md G13). */
  @Test
  void updateThroughPatch() {
    String id = activeImage("o4j-update", Fixtures.bytes(1000, 43));

    Image updated = images.update(images.get(id).toBuilder().name("o4j-renamed").minRam(512L)
        .additionalProperty("hw_disk_bus", "scsi").build());
    assertThat(updated).as("update answer").isNotNull();
    assertThat(updated.getName()).isEqualTo("o4j-renamed");
    assertThat(updated.getMinRam()).isEqualTo(512L);

    JsonObject overHttp = http.get("/v2/images/" + id).expect(200).json();
    assertThat(overHttp.getString("name")).isEqualTo("o4j-renamed");
    assertThat(overHttp.getInteger("min_ram")).isEqualTo(512);
    assertThat(overHttp.getString("hw_disk_bus")).isEqualTo("scsi");
  }

  @Test
  void deleteRemovesTheImage() {
    String id = activeImage("o4j-delete", Fixtures.bytes(1000, 44));

    ActionResponse deleted = images.delete(id);
    assertThat(deleted.isSuccess()).as("delete: %s", deleted).isTrue();
    assertThat(images.get(id)).isNull();
    http.get("/v2/images/" + id).expect(404);
    assertThat(images.delete(id).getCode()).isEqualTo(404);
  }

  @Test
  void tagsMembersAndDeactivation() {
    String id = activeImage("o4j-share", Fixtures.bytes(1000, 45));

    ActionResponse tagged = images.updateTag(id, "golden");
    assertThat(tagged.isSuccess()).as("tag: %s", tagged).isTrue();
    assertThat(images.get(id).getTags()).containsExactly("golden");
    ActionResponse untagged = images.deleteTag(id, "golden");
    assertThat(untagged.isSuccess()).as("untag: %s", untagged).isTrue();
    assertThat(images.get(id).getTags()).isEmpty();

    // Glance's default visibility is "shared" (openstack4j 3.12 has no constant for it)
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("visibility")).isEqualTo("shared");
    Member member = images.createMember(id, "project-b");
    assertThat(member.getMemberId()).isEqualTo("project-b");
    assertThat(member.getStatus()).isEqualTo(Member.MemberStatus.PENDING);
    assertThat(images.listMembers(id)).extracting(Member::getMemberId).containsExactly("project-b");
    http.as("project-b", "member", "reader").get("/v2/images/" + id).expect(200);
    ActionResponse removed = images.deleteMember(id, "project-b");
    assertThat(removed.isSuccess()).as("delete member: %s", removed).isTrue();
    http.as("project-b", "member", "reader").get("/v2/images/" + id).expect(404);

    ActionResponse deactivated = images.deactivate(id);
    assertThat(deactivated.isSuccess()).as("deactivate: %s", deactivated).isTrue();
    assertThat(images.get(id).getStatus()).isEqualTo(Image.ImageStatus.DEACTIVATED);
    ActionResponse reactivated = images.reactivate(id);
    assertThat(reactivated.isSuccess()).as("reactivate: %s", reactivated).isTrue();
    assertThat(images.get(id).getStatus()).isEqualTo(Image.ImageStatus.ACTIVE);
  }

  private String activeImage(String name, byte[] data) {
    Image created = images.create(Builders.imageV2().name(name).diskFormat(DiskFormat.RAW)
        .containerFormat(ContainerFormat.BARE).build());
    ActionResponse r = images.upload(created.getId(), Payloads.create(new ByteArrayInputStream(data)), created);
    assertThat(r.isSuccess()).as("upload: %s", r).isTrue();
    return created.getId();
  }
}
