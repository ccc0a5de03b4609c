package io.imago.data;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.FormatCorpus;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Format inspection end to end, {@code PUT /file} on the real server (spec/security.md §4): every
 * image of the qemu-img corpus becomes active with {@code qemu-img info}'s virtual size when
 * declared as what it is; every hostile image is refused with a 415 naming the failed check and
 * leaves its image queued with nothing stored; the declared format is checked as Glance does.
 */
class FormatInspectionIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("images.disk_formats", "ami,ari,aki,vhd,vhdx,vmdk,raw,qcow2,vdi,iso,ploop,gpt,luks,qed");

  private final Http http = server.http();

  @BeforeAll
  static void needsQemuImg() {
    assumeTrue(FormatCorpus.qemuImgAvailable(), "qemu-img (Debian's qemu-utils) is not installed");
  }

  /** What each hostile image's refusal names. */
  private static final Map<String, String> REFUSALS = Map.ofEntries(
      Map.entry("hostile-backing-file", "qcow2 backing_file: Image has a backing file (/etc/passwd)"),
      Map.entry("hostile-data-file", "qcow2 data_file: Image has data_file set"),
      Map.entry("hostile-unknown-feature", "qcow2 unknown_features: Unknown QCOW2 features found"),
      Map.entry("hostile-vmdk-host-extent", "vmdk descriptor: Invalid extent filenames found"),
      Map.entry("hostile-vmdk-bad-type", "vmdk descriptor: Unsupported subformat vmfs"),
      Map.entry("hostile-vmdk-malformed", "vmdk descriptor: Invalid VMDK descriptor data"),
      Map.entry("hostile-vmdk-text-host-extent", "vmdk descriptor: Unsupported subformat monolithicflat"),
      Map.entry("hostile-vmdk-footer", "vmdk footer: Header and footer versions do not match"),
      Map.entry("hostile-qcow2-in-iso", "Multiple formats detected: qcow2,iso"),
      Map.entry("hostile-bad-mbr", "gpt mbr: MBR partition entry 1 has an invalid boot flag 0x12"),
      Map.entry("hostile-luks2", "luks version: LUKS version 2 is not supported"));

  private String create(String diskFormat, String containerFormat) {
    return http.post("/v2/images", new JsonObject().put("disk_format", diskFormat)
        .put("container_format", containerFormat)).expect(201).json().getString("id");
  }

  private Http.Resp upload(String id, byte[] data) {
    return http.putBytes("/v2/images/" + id + "/file", data, "Accept", "application/json");
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusImageDeclaredAsWhatItIsBecomesActiveWithQemuImgsVirtualSize() {
    return FormatCorpus.get().benign().stream().map(image -> DynamicTest.dynamicTest(image.name(), () -> {
      String id = create(image.diskFormat(), "bare");
      Http.Resp r = upload(id, image.bytes());
      switch (image.name()) {
        case "qcow2-v3-extended-l2", "qed", "vmdk-monolithicFlat", "vmdk-twoGbMaxExtentSparse" -> {
          assertGlanceError(r, 415);
          assertThat(r.json().getString("message")).startsWith("Image failed safety checks");
          server.assertNothingStored(http, id);
        }
        case "vhd-fixed" -> { // its footer is at the end only: raw to the inspector (and to qemu-img's probe)
          assertGlanceError(r, 415);
          assertThat(r.json().getString("message")).startsWith("Image disk_format vhd does not match stream data raw");
          server.assertNothingStored(http, id);
        }
        default -> {
          r.expect(204);
          JsonObject shown = http.get("/v2/images/" + id).expect(200).json();
          assertThat(shown.getString("status")).isEqualTo("active");
          assertThat(shown.getLong("size")).isEqualTo(image.path().toFile().length());
          assertThat(shown.getLong("virtual_size")).as("qemu-img info's virtual size")
              .isEqualTo(image.qemuVirtualSize());
        }
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> hostileImagesAreRefusedWith415AndNothingIsStored() {
    assertThat(FormatCorpus.get().hostileImages()).extracting(FormatCorpus.Image::name)
        .containsExactlyInAnyOrderElementsOf(REFUSALS.keySet());
    return FormatCorpus.get().hostileImages().stream().flatMap(image -> Stream.of(image.diskFormat(), "raw")
        .distinct().map(declared -> DynamicTest.dynamicTest(image.name() + " as " + declared, () -> {
          String id = create(declared, "bare");
          Http.Resp r = upload(id, image.bytes());
          assertGlanceError(r, 415);
          assertThat(r.json().getString("message")).contains(REFUSALS.get(image.name()));
          server.assertNothingStored(http, id);
        })));
  }

  @Test
  void declaredRawButAnotherFormatIsAcceptedWithItsByteSize() {
    byte[] qcow2 = FormatCorpus.get().image("qcow2-v3").bytes();
    String id = create("raw", "bare");
    upload(id, qcow2).expect(204);
    assertThat(http.get("/v2/images/" + id).expect(200).json().getLong("virtual_size")).isEqualTo(qcow2.length);
  }

  @Test
  void aMismatchIsRefusedAndNamesBothFormats() {
    String id = create("vmdk", "bare");
    Http.Resp r = upload(id, FormatCorpus.get().image("qcow2-v3").bytes());
    assertGlanceError(r, 415);
    assertThat(r.json().getString("message")).startsWith("Image disk_format vmdk does not match stream data qcow2");
    server.assertNothingStored(http, id);

    String raw = create("qcow2", "bare");
    assertThat(upload(raw, FormatCorpus.get().image("raw").bytes()).expect(415).json().getString("message"))
        .startsWith("Image disk_format qcow2 does not match stream data raw");
  }

  @Test
  void aFormatThatCannotBeInspectedTakesRawDataWithoutAVirtualSize() {
    String id = create("ami", "bare");
    upload(id, FormatCorpus.get().image("raw").bytes()).expect(204);
    JsonObject image = http.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("active");
    assertThat(image.getValue("virtual_size")).isNull();
    // but not a recognised format
    String qcow2 = create("ami", "bare");
    assertGlanceError(upload(qcow2, FormatCorpus.get().image("qcow2-v3").bytes()), 415);
  }

  @Test
  void anIsoWithAGptBootRecordIsAnIso() {
    byte[] hybrid = FormatCorpus.get().image("iso").bytes();
    System.arraycopy(FormatCorpus.get().image("gpt").bytes(), 0, hybrid, 0, 1024); // protective MBR + GPT header
    String id = create("iso", "bare");
    upload(id, hybrid).expect(204);
    assertThat(http.get("/v2/images/" + id).expect(200).json().getLong("virtual_size")).isEqualTo(hybrid.length);
  }

  @Test
  void otherContainerFormatsAreNotInspectedAsInGlance() {
    String id = create("qcow2", "ovf");
    upload(id, FormatCorpus.get().image("raw").bytes()).expect(204);
    assertThat(http.get("/v2/images/" + id).expect(200).json().getValue("virtual_size")).isNull();
  }
}
