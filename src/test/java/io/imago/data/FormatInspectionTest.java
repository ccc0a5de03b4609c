package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.data.format.Detection;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Glance's decision on the declared disk_format against the detected one (spec/security.md §4.2). */
class FormatInspectionTest {
  private static final FormatInspection STRICT = inspection(true, Set.of());
  private static final FormatInspection LENIENT = inspection(false, Set.of());

  private static FormatInspection inspection(boolean require, Set<String> nonfatal) {
    return new FormatInspection(new FormatInspection.Settings(require, nonfatal, Set.of("monolithicSparse")));
  }

  private static Detection found(long size, Detection.Match... matches) {
    return new Detection(List.of(matches), Map.of(), size, 0);
  }

  private static Detection.Match match(String format, Long virtualSize, Map<String, String> failures) {
    return new Detection.Match(format, virtualSize, failures);
  }

  private static String refusal(FormatInspection i, String declared, Detection d) {
    try {
      i.decide(declared, d);
    } catch (ImagoException e) {
      assertThat(e.kind()).isEqualTo(ErrorKind.UNSUPPORTED_MEDIA_TYPE);
      return e.getMessage();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void aMatchGivesTheHeadersVirtualSize() {
    assertThat(STRICT.decide("qcow2", found(100, match("qcow2", 1L << 30, Map.of()))))
        .isEqualTo(new FormatInspection.Verdict("qcow2", 1L << 30));
    assertThat(STRICT.decide("raw", found(10))).isEqualTo(new FormatInspection.Verdict("raw", 10L));
    // Glance records no virtual size of 0 (an empty raw upload, an ISO without a primary descriptor)
    assertThat(STRICT.decide("raw", found(0)).virtualSize()).isNull();
    assertThat(STRICT.decide("iso", found(4096, match("iso", null, Map.of()))).virtualSize()).isNull();
  }

  @Test
  void declaredRawIsAcceptedWhateverItIsButItsSafetyChecksRun() {
    assertThat(STRICT.decide("raw", found(500, match("vhd", 1000L, Map.of()))))
        .isEqualTo(new FormatInspection.Verdict("vhd", 500L));
    assertThat(refusal(STRICT, "raw", found(500, match("qcow2", 1000L, Map.of("backing_file", "Image has a backing file")))))
        .isEqualTo("Image failed safety checks (qcow2 backing_file: Image has a backing file)");
  }

  @Test
  void formatsThatCannotBeInspectedTakeRawData() {
    for (String f : List.of("ami", "ari", "aki", "ploop")) {
      assertThat(STRICT.decide(f, found(10))).isEqualTo(new FormatInspection.Verdict("raw", null));
      assertThat(refusal(STRICT, f, found(10, match("qcow2", 5L, Map.of()))))
          .isEqualTo("Image disk_format " + f + " does not match stream data qcow2");
    }
  }

  @Test
  void mismatchesAreFormatErrorsFatalOnlyWithRequireImageFormatMatch() {
    Detection raw = found(10);
    assertThat(refusal(STRICT, "qcow2", raw)).isEqualTo("Image disk_format qcow2 does not match stream data raw");
    assertThat(LENIENT.decide("qcow2", raw)).isEqualTo(new FormatInspection.Verdict("raw", null));
    Detection two = found(10, match("qcow2", 5L, Map.of()), match("iso", 8L, Map.of()));
    assertThat(refusal(STRICT, "iso", two)).isEqualTo("Multiple formats detected: qcow2,iso");
    assertThat(LENIENT.decide("iso", two).virtualSize()).isNull();
  }

  @Test
  void safetyFailuresAreFatalEvenWhenMismatchesAreTolerated() {
    Detection hostile = found(10, match("qcow2", 5L, Map.of("data_file", "Image has data_file set")),
        match("iso", 8L, Map.of()));
    assertThat(refusal(LENIENT, "iso", hostile)).isEqualTo("Image failed safety checks (qcow2 data_file: Image has data_file set)");
    assertThat(refusal(LENIENT, "vmdk", found(10, match("qed", 5L, Map.of("banned", "This file format is not allowed")))))
        .contains("qed banned");
  }

  @Test
  void isoWithGptIsIso() {
    Detection hybrid = found(4096, match("iso", 4096L, Map.of()), match("gpt", 4096L, Map.of("mbr", "bad")));
    assertThat(STRICT.decide("iso", hybrid)).isEqualTo(new FormatInspection.Verdict("iso", 4096L));
    assertThat(refusal(STRICT, "gpt", hybrid)).isEqualTo("Image disk_format gpt does not match stream data iso");
  }

  @Test
  void gptSafetyChecksNonfatalToleratesTheNamedChecksOfGptImagesOnly() {
    Detection badMbr = found(4096, match("gpt", 4096L, Map.of("mbr", "GPT MBR has no partitions defined")));
    assertThat(refusal(STRICT, "gpt", badMbr)).isEqualTo("Image failed safety checks (gpt mbr: GPT MBR has no partitions defined)");
    assertThat(inspection(true, Set.of("mbr")).decide("gpt", badMbr)).isEqualTo(new FormatInspection.Verdict("gpt", 4096L));
    assertThat(inspection(true, Set.of("mbr")).decide("raw", badMbr)).isEqualTo(new FormatInspection.Verdict("gpt", 4096L));
  }

  @Test
  void onlyBareImagesAreInspected() {
    assertThat(STRICT.tap("qcow2", "ovf")).isNull();
    assertThat(STRICT.tap("qcow2", "bare")).isNotNull();
  }

  @Test
  void aBugInTheInspectorIsNotTheClientsFaultButStillRefusesWhenMatchingIsRequired() {
    Tap<FormatInspection.Verdict> tap = STRICT.tap("raw", "bare");
    tap.accept(java.nio.ByteBuffer.allocate(4));
    assertThat(tap.result()).isEqualTo(new FormatInspection.Verdict("raw", 4L));
    assertThatThrownBy(() -> STRICT.decide(null, found(1))).isInstanceOf(NullPointerException.class);
  }
}
