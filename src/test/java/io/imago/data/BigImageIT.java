package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.ForkedServer;
import io.imago.testing.Http;
import io.imago.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 GiB image through a server whose heap is 128 MiB and direct memory 64 MiB: an upload or
 * download that buffered the image would die of OutOfMemoryError; a streaming one finishes, with
 * the digests of what was sent and a resident size far below the image.
 */
class BigImageIT {
  private static final long SIZE = 2L << 30;
  private static final int BLOCK = 1 << 20;

  @TempDir
  Path dir;

  @Test
  void twoGibibytesUpAndDownWithA128MegabyteHeap() throws Exception {
    List<String> jvm = List.of("-Xmx128m", "-XX:MaxDirectMemorySize=64m");
    List<String> args = List.of("--data-dir", dir.resolve("data").toString(),
        "--database-url", TestPostgres.get().newDatabase());
    try (ForkedServer server = ForkedServer.start(jvm, args, dir.resolve("server.log"))) {
      Http http = server.http();
      String id = Fixtures.createImage(http).getString("id");
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String file = "http://127.0.0.1:" + server.port() + "/v2/images/" + id + "/file";

      MessageDigest sentMd5 = MessageDigest.getInstance("MD5");
      HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(file))
          .header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.fromPublisher(
              HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(SIZE, sentMd5)), SIZE))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(204);

      JsonObject image = http.get("/v2/images/" + id).expect(200).json();
      assertThat(image.getLong("size")).isEqualTo(SIZE);
      assertThat(image.getString("checksum")).isEqualTo(HexFormat.of().formatHex(sentMd5.digest()));

      MessageDigest gotMd5 = MessageDigest.getInstance("MD5");
      MessageDigest gotSha = MessageDigest.getInstance("SHA-512");
      HttpResponse<InputStream> get = client.send(HttpRequest.newBuilder(URI.create(file)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(get.statusCode()).isEqualTo(200);
      long n = 0;
      try (InputStream in = get.body()) {
        byte[] buf = new byte[BLOCK];
        int r;
        while ((r = in.read(buf)) > 0) {
          gotMd5.update(buf, 0, r);
          gotSha.update(buf, 0, r);
          n += r;
        }
      }
      assertThat(n).isEqualTo(SIZE);
      assertThat(HexFormat.of().formatHex(gotMd5.digest())).isEqualTo(image.getString("checksum"));
      assertThat(HexFormat.of().formatHex(gotSha.digest())).isEqualTo(image.getString("os_hash_value"));

      // A range past the 2 GiB mark (offsets beyond 32 bits).
      Http.Resp tail = http.get("/v2/images/" + id + "/file", "Range", "bytes=2147483000-");
      tail.expect(206);
      assertThat(tail.bytes()).hasSize((int) (SIZE - 2147483000L));
      assertThat(tail.header("Content-Range")).isEqualTo("bytes 2147483000-" + (SIZE - 1) + "/" + SIZE);

      assertThat(server.peakRssBytes()).as("peak resident memory of the server").isLessThan(640L << 20);
      assertThat(server.alive()).isTrue();
    }
  }

  /** Deterministic data: one random 1 MiB block, each copy stamped with its index; hashed as sent. */
  private static final class Generated extends InputStream {
    private final long size;
    private final MessageDigest md5;
    private final byte[] block = new byte[BLOCK];
    private long pos;

    Generated(long size, MessageDigest md5) {
      this.size = size;
      this.md5 = md5;
      new Random(42).nextBytes(block);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= size) {
        return -1;
      }
      int inBlock = (int) (pos % BLOCK);
      if (inBlock == 0) {
        long index = pos / BLOCK;
        for (int i = 0; i < 8; i++) {
          block[i] = (byte) (index >>> (8 * i));
        }
      }
      int n = (int) Math.min(Math.min(len, BLOCK - inBlock), size - pos);
      System.arraycopy(block, inBlock, b, off, n);
      md5.update(b, off, n);
      pos += n;
      return n;
    }
  }
}
