package io.imago.data.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.FormatCorpus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The detector fed hostile bytes (spec/security.md §4.1): corpus headers with bytes changed where
 * the structures are, random data behind every format's signature, each cut into random chunks.
 * Whatever the bytes, no exception escapes (format errors only exclude a format), memory stays
 * within {@link FormatDetector#MAX_HELD}, and the answer does not depend on how the stream is split.
 */
class FormatDetectorPropertyTest {
  /** The first 1 MiB and the last 4 KiB of each corpus image (headers, descriptors, footers), by name. */
  private static Map<String, byte[]> seeds;

  private static synchronized Map<String, byte[]> seeds() {
    if (seeds == null) {
      Map<String, byte[]> s = new LinkedHashMap<>();
      if (FormatCorpus.qemuImgAvailable()) {
        for (FormatCorpus.Image image : FormatCorpus.get().all()) {
          byte[] b = image.bytes();
          if (b.length > (1 << 20) + 4096) {
            byte[] cut = Arrays.copyOf(b, (1 << 20) + 4096);
            System.arraycopy(b, b.length - 4096, cut, 1 << 20, 4096);
            b = cut;
          }
          s.put(image.name(), b);
        }
      } else {
        s.put("iso", FormatCorpus.iso(null));
        s.put("gpt", FormatCorpus.partitioned(true));
      }
      seeds = s;
    }
    return seeds;
  }

  /** A change of one byte: where (mostly in the first KiB, where headers are), and the new value. */
  record Mutation(int at, byte value) {}

  @Provide
  Arbitrary<String> seed() {
    return Arbitraries.of(new ArrayList<>(seeds().keySet()));
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    Arbitrary<Integer> at = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0, 1023)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 0x40000 + 1024)), // vhdx tables, iso
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, (1 << 20) + 4095)));
    Arbitrary<Byte> value = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.bytes()),
        net.jqwik.api.Tuple.of(1, Arbitraries.of((byte) 0, (byte) 0xFF, (byte) 1, (byte) 0x80, (byte) '/', (byte) '\n')));
    return Combinators.combine(at, value).as(Mutation::new).list().ofMaxSize(24);
  }

  @Property(tries = 150)
  void mutatedCorpusHeadersNeverBreakTheDetector(@ForAll("seed") String name, @ForAll("mutations") List<Mutation> changes,
      @ForAll long splitSeed) {
    byte[] bytes = seeds().get(name).clone();
    for (Mutation m : changes) {
      if (m.at() < bytes.length) {
        bytes[m.at()] = m.value();
      }
    }
    checkInvariants(bytes, splitSeed);
  }

  @Property(tries = 200)
  void randomDataBehindEverySignatureNeverBreaksTheDetector(
      @ForAll("signatures") byte[] signature, @ForAll long dataSeed, @ForAll long splitSeed) {
    Random r = new Random(dataSeed);
    byte[] bytes = new byte[r.nextInt(300_000) + signature.length];
    r.nextBytes(bytes);
    if (r.nextBoolean()) { // structures that point into the stream find plausible numbers there
      for (int i = 0; i < bytes.length; i += 8) {
        bytes[i] &= 0x03;
      }
    }
    System.arraycopy(signature, 0, bytes, 0, signature.length);
    checkInvariants(bytes, splitSeed);
  }

  @Provide
  Arbitrary<byte[]> signatures() {
    return Arbitraries.of(
        new byte[] {'Q', 'F', 'I', (byte) 0xFB, 0, 0, 0, 3},
        new byte[] {'Q', 'E', 'D', 0},
        "conectix".getBytes(),
        "vhdxfile".getBytes(),
        new byte[] {'K', 'D', 'M', 'V', 1, 0, 0, 0},
        "# Disk DescriptorFile\nversion=1\ncreateType=\"monolithicSparse\"\nRW 1 SPARSE \"x\"\n".getBytes(),
        new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE, 0, 1},
        new byte[0]);
  }

  private static void checkInvariants(byte[] bytes, long splitSeed) {
    Detection whole = detect(bytes, null);
    Detection split = detect(bytes, new Random(splitSeed));
    assertThat(split.peakHeld()).isLessThanOrEqualTo(FormatDetector.MAX_HELD);
    assertThat(whole.peakHeld()).isLessThanOrEqualTo(FormatDetector.MAX_HELD);
    assertThat(split).usingRecursiveComparison().ignoringFields("peakHeld").isEqualTo(whole);
    assertThat(whole.size()).isEqualTo(bytes.length);
  }

  private static Detection detect(byte[] bytes, Random splits) {
    FormatDetector d = new FormatDetector(Set.of("streamOptimized", "monolithicSparse"));
    for (int p = 0; p < bytes.length; ) {
      int n = splits == null ? bytes.length : Math.min(bytes.length - p, 1 + splits.nextInt(
          splits.nextInt(4) == 0 ? 16 : 128 * 1024));
      // a read-only view at a non-zero offset of a larger array, as a socket chunk may be
      d.accept(ByteBuffer.wrap(bytes, p, n).slice().asReadOnlyBuffer());
      p += n;
    }
    return d.finish();
  }
}
