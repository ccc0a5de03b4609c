package io.imago.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated data: the digests the harness expects are those of the bytes it sends. */
class DataTest {
  @Test
  void digestsAreThoseOfTheBytesWritten(@TempDir Path dir) throws Exception {
    long size = 3 * Data.BLOCK + 12345;
    Data d = new Data(size, 5);
    d.writeTo(dir.resolve("f"));
    byte[] bytes = Files.readAllBytes(dir.resolve("f"));
    assertThat(bytes).hasSize((int) size);
    assertThat(d.digests()[0]).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)));
    assertThat(d.digests()[1]).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes)));
    // no two MiB alike: the stamp differs
    assertThat(java.util.Arrays.equals(bytes, 0, Data.BLOCK, bytes, Data.BLOCK, 2 * Data.BLOCK)).isFalse();
  }

  @Test
  void tinySizesWork() throws Exception {
    for (long size : new long[] {0, 1, 8, 9}) {
      Data d = new Data(size, 1);
      assertThat(d.digests()[0]).hasSize(32);
    }
  }
}
