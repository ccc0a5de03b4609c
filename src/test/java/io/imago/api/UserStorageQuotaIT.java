package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.RawHttp;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The legacy {@code user_storage_quota} (spec images-api.md §6), here 3MB (3 MiB) per project, as
 * Glance answers it (compared with Glance Zed at the same setting): 413 "Image exceeds the storage
 * quota: …", the image back to queued, no data kept. Each test works in projects of its own.
 */
class UserStorageQuotaIT {
  private static final int MIB = 1 << 20;

  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("quotas.user_storage_quota", "3MB");

  private final Http admin = server.http();

  private Http as(String project) {
    return admin.as(project, "member", "reader");
  }

  @Test
  void uploadsFillingTheQuotaExactlyPassAndOneByteMoreIsRefused() {
    Http p = as("p-exact");
    upload(p, Fixtures.createImage(p).getString("id"), Fixtures.bytes(2 * MIB, 1)).expect(204);
    upload(p, Fixtures.createImage(p).getString("id"), Fixtures.bytes(MIB, 2)).expect(204);

    String id = Fixtures.createImage(p).getString("id");
    Http.Resp refused = upload(p, id, new byte[1]);
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains(
        "Image exceeds the storage quota: The size of the data 1 will exceed the limit. 0 bytes remaining.");
    server.assertNothingStored(p, id);
  }

  @Test
  void aDeclaredSizeOverTheQuotaIsRefusedWithGlancesText() {
    Http p = as("p-declared");
    upload(p, Fixtures.createImage(p).getString("id"), Fixtures.bytes(2 * MIB, 3)).expect(204);
    String id = Fixtures.createImage(p).getString("id");
    Http.Resp refused = upload(p, id, Fixtures.bytes(2 * MIB, 4));
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains("Image exceeds the storage quota: The size of the data"
        + " 2097152 will exceed the limit. 1048576 bytes remaining.");
    server.assertNothingStored(p, id);
    // what fits still fits
    upload(p, id, Fixtures.bytes(MIB, 5)).expect(204);
  }

  @Test
  void aChunkedUploadCrossingTheQuotaIsRefusedWithNothingKept() {
    Http p = as("p-chunked");
    upload(p, Fixtures.createImage(p).getString("id"), Fixtures.bytes(2 * MIB, 6)).expect(204);
    String id = Fixtures.createImage(p).getString("id");
    Http.Resp refused = p.putChunked("/v2/images/" + id + "/file", Fixtures.bytes(2 * MIB, 7));
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).matches("(?s)Image exceeds the storage quota: The size of the"
        + " data \\d+ will exceed the limit\\. 1048576 bytes remaining\\..*");
    server.assertNothingStored(p, id);
  }

  /** The 413 comes while the client is still sending: the stream is stopped at the quota, not read to its end. */
  @Test
  void theStreamIsStoppedAtTheQuotaBeforeTheBodyEnds() throws IOException {
    Http p = as("p-midstream");
    String id = Fixtures.createImage(p).getString("id");
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.head("PUT /v2/images/" + id + "/file HTTP/1.1", "Content-Type: application/octet-stream",
          "Transfer-Encoding: chunked", "X-Identity-Status: Confirmed", "X-Project-Id: p-midstream",
          "X-Roles: member,reader");
      byte[] chunk = Fixtures.bytes(256 * 1024, 8);
      for (int i = 0; i < 16; i++) { // 4 MiB, and never the last chunk
        raw.chunk(chunk);
      }
      assertThat(raw.readStatus()).isEqualTo(413);
    }
    server.assertNothingStored(p, id);
  }

  @Test
  void withTheQuotaUsedUpAnUploadOfUnknownSizeIsRefusedAtOnce() {
    Http p = as("p-full");
    upload(p, Fixtures.createImage(p).getString("id"), Fixtures.bytes(3 * MIB, 9)).expect(204);
    String id = Fixtures.createImage(p).getString("id");
    Http.Resp refused = p.putChunked("/v2/images/" + id + "/file", new byte[10]);
    assertGlanceError(refused, 413);
    assertThat(refused.json().getString("message")).contains(
        "Image exceeds the storage quota: The size of the data None will exceed the limit. 0 bytes remaining.");
    server.assertNothingStored(p, id);

    // another project is not charged for p-full's data; nor are deleted images counted
    Http other = as("p-full-neighbour");
    upload(other, Fixtures.createImage(other).getString("id"), Fixtures.bytes(3 * MIB, 10)).expect(204);
    String first = p.get("/v2/images?status=active").json().getJsonArray("images").getJsonObject(0).getString("id");
    p.delete("/v2/images/" + first).expect(204);
    upload(p, id, new byte[10]).expect(204);
  }

  /**
   * Two uploads that each fit alone: the one that finishes second is re-checked with its real size
   * (as Glance does after storing) and refused, its data deleted.
   */
  @Test
  void parallelUploadsThatTogetherExceedTheQuotaAreCaughtWhenTheSecondFinishes() throws IOException {
    Http p = as("p-parallel");
    String a = Fixtures.createImage(p).getString("id");
    String b = Fixtures.createImage(p).getString("id");
    byte[] data = Fixtures.bytes(2 * MIB, 11);
    try (RawHttp slow = new RawHttp(server.port())) {
      slow.head("PUT /v2/images/" + b + "/file HTTP/1.1", "Content-Type: application/octet-stream",
          "Transfer-Encoding: chunked", "X-Identity-Status: Confirmed", "X-Project-Id: p-parallel",
          "X-Roles: member,reader");
      for (int off = 0; off < data.length; off += 256 * 1024) {
        slow.chunk(Arrays.copyOfRange(data, off, off + 256 * 1024));
      }
      Await.until("b is saving", () -> "saving".equals(p.get("/v2/images/" + b).json().getString("status")));

      upload(p, a, data).expect(204);

      slow.chunk(new byte[0]);
      assertThat(slow.readStatus()).isEqualTo(413);
    }
    server.assertNothingStored(p, b);
    assertThat(p.get("/v2/images/" + a).json().getString("status")).isEqualTo("active");
  }

  @Test
  void theLegacyQuotaIsNotAUnifiedLimitSoUsageIsEmpty() {
    assertThat(as("p-usage").get("/v2/info/usage").expect(200).json()).isEqualTo(
        new JsonObject().put("usage", new JsonObject()));
  }

  private static Http.Resp upload(Http p, String id, byte[] data) {
    return p.putBytes("/v2/images/" + id + "/file", data);
  }
}
