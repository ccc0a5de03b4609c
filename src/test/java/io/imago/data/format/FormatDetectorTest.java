package io.imago.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.FormatCorpus;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The detector over the corpus {@code qemu-img} makes (spec/security.md §4.1): each image is found to
 * be what it is, with {@code qemu-img info}'s virtual size, whatever the split of the stream.
 */
class FormatDetectorTest {
  static final Set<String> VMDK_TYPES = Set.of("streamOptimized", "monolithicSparse");

  /** format detected, and the safety check that fails (null: none). */
  private record Expected(String format, String failing) {}

  private static final Map<String, Expected> BENIGN = Map.ofEntries(
      Map.entry("raw", new Expected("raw", null)),
      Map.entry("qcow2-v2", new Expected("qcow2", null)),
      Map.entry("qcow2-v3", new Expected("qcow2", null)),
      Map.entry("qcow2-v3-lazy-refcounts", new Expected("qcow2", null)),
      Map.entry("qcow2-v3-zstd", new Expected("qcow2", null)),
      // bit 4 (extended L2 entries) is past what Glance's inspector knows: refused, as there
      Map.entry("qcow2-v3-extended-l2", new Expected("qcow2", "unknown_features")),
      Map.entry("qed", new Expected("qed", "banned")),
      Map.entry("vhd-dynamic", new Expected("vhd", null)),
      // a fixed VHD has its footer only at the end: raw to Glance, and to qemu-img's probe too
      Map.entry("vhd-fixed", new Expected("raw", null)),
      Map.entry("vhdx-dynamic", new Expected("vhdx", null)),
      Map.entry("vhdx-fixed", new Expected("vhdx", null)),
      Map.entry("vmdk-monolithicSparse", new Expected("vmdk", null)),
      Map.entry("vmdk-streamOptimized", new Expected("vmdk", null)),
      Map.entry("vmdk-streamOptimized-footer", new Expected("vmdk", null)),
      Map.entry("vmdk-monolithicFlat", new Expected("vmdk", "descriptor")),
      Map.entry("vmdk-twoGbMaxExtentSparse", new Expected("vmdk", "descriptor")),
      Map.entry("vdi-dynamic", new Expected("vdi", null)),
      Map.entry("vdi-static", new Expected("vdi", null)),
      Map.entry("luks", new Expected("luks", null)),
      Map.entry("iso", new Expected("iso", null)),
      Map.entry("gpt", new Expected("gpt", null)),
      Map.entry("mbr", new Expected("gpt", null)));

  @BeforeAll
  static void needsQemuImg() {
    assumeTrue(FormatCorpus.qemuImgAvailable(), "qemu-img (Debian's qemu-utils) is not installed");
  }

  static Detection detect(byte[] bytes, long seed, int maxChunk) {
    FormatDetector d = new FormatDetector(VMDK_TYPES);
    Random r = new Random(seed);
    for (int p = 0; p < bytes.length; ) {
      int n = Math.min(bytes.length - p, 1 + r.nextInt(maxChunk));
      d.accept(ByteBuffer.wrap(bytes, p, n).slice());
      p += n;
    }
    Detection found = d.finish();
    assertThat(found.peakHeld()).isLessThanOrEqualTo(FormatDetector.MAX_HELD);
    return found;
  }

  @TestFactory
  Stream<DynamicTest> everyFormatQemuImgWritesIsDetectedWithItsVirtualSize() {
    List<FormatCorpus.Image> images = FormatCorpus.get().benign();
    assertThat(images).extracting(FormatCorpus.Image::name).containsExactlyInAnyOrderElementsOf(BENIGN.keySet());
    return images.stream().map(image -> DynamicTest.dynamicTest(image.name(), () -> {
      Expected expected = BENIGN.get(image.name());
      byte[] bytes = image.bytes();
      Detection whole = detect(bytes, 0, Integer.MAX_VALUE);
      assertThat(whole.formats()).containsExactly(expected.format());
      assertThat(whole.size()).isEqualTo(bytes.length);
      if (!expected.format().equals("raw")) {
        Detection.Match m = whole.matches().get(0);
        if (expected.failing() == null) {
          assertThat(m.failures()).isEmpty();
          assertThat(m.virtualSize()).as("virtual size (qemu-img info: %s)", image.qemuVirtualSize())
              .isEqualTo(image.qemuVirtualSize());
        } else {
          assertThat(m.failures()).containsOnlyKeys(expected.failing());
        }
      }
      // the same answer for any split of the stream, down to single bytes at the start
      for (int seed = 1; seed <= 3; seed++) {
        assertThat(detect(bytes, seed, seed == 1 ? 7 : 300_000)).usingRecursiveComparison()
            .ignoringFields("peakHeld").isEqualTo(whole);
      }
    }));
  }

  @Test
  void hostileImagesFailTheirSafetyChecks() {
    FormatCorpus c = FormatCorpus.get();
    assertThat(failures(c, "hostile-backing-file", "qcow2"))
        .containsEntry("backing_file", "Image has a backing file (/etc/passwd)");
    assertThat(failures(c, "hostile-data-file", "qcow2")).containsOnlyKeys("data_file");
    assertThat(failures(c, "hostile-unknown-feature", "qcow2")).containsOnlyKeys("unknown_features");
    assertThat(failures(c, "hostile-vmdk-host-extent", "vmdk"))
        .containsExactlyEntriesOf(Map.of("descriptor", "Invalid extent filenames found"));
    assertThat(failures(c, "hostile-vmdk-bad-type", "vmdk"))
        .containsExactlyEntriesOf(Map.of("descriptor", "Unsupported subformat vmfs"));
    assertThat(failures(c, "hostile-vmdk-malformed", "vmdk"))
        .containsExactlyEntriesOf(Map.of("descriptor", "Invalid VMDK descriptor data"));
    assertThat(failures(c, "hostile-vmdk-text-host-extent", "vmdk"))
        .containsExactlyEntriesOf(Map.of("descriptor", "Unsupported subformat monolithicflat"));
    assertThat(failures(c, "hostile-vmdk-footer", "vmdk"))
        .containsExactlyEntriesOf(Map.of("footer", "Header and footer versions do not match"));
    assertThat(failures(c, "hostile-bad-mbr", "gpt")).containsOnlyKeys("mbr");
    assertThat(failures(c, "hostile-luks2", "luks"))
        .containsExactlyEntriesOf(Map.of("version", "LUKS version 2 is not supported"));
    assertThat(detect(c.image("hostile-qcow2-in-iso").bytes(), 4, 100_000).formats())
        .containsExactly("qcow2", "iso");
  }

  @Test
  void aSingleFileVmdkTypeCanBeDisallowed() {
    FormatDetector d = new FormatDetector(Set.of("streamOptimized"));
    d.accept(ByteBuffer.wrap(FormatCorpus.get().image("vmdk-monolithicSparse").bytes()));
    assertThat(d.finish().matches().get(0).failures())
        .containsExactlyEntriesOf(Map.of("descriptor", "Unsupported subformat monolithicsparse"));
  }

  @Test
  void aTextFileIsNotADescriptorAndShortDataIsRaw() {
    assertThat(detect("hello, world\nversion 1\n".getBytes(), 1, 3).formats()).containsExactly("raw");
    assertThat(detect(new byte[] {'Q', 'F', 'I', (byte) 0xFB, 0, 0, 0, 3}, 1, 3).formats()).containsExactly("raw");
    assertThat(detect(new byte[0], 1, 3).formats()).containsExactly("raw");
  }

  private static Map<String, String> failures(FormatCorpus c, String name, String format) {
    Detection d = detect(c.image(name).bytes(), name.hashCode(), 200_000);
    assertThat(d.formats()).as(name).containsExactly(format);
    return d.matches().get(0).failures();
  }
}
