package io.imago.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.KeystoneImago;
import io.imago.testing.KeystoneProxy;
import io.imago.testing.TestKeystone;
import io.imago.testing.TestKeystone.Token;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Imago with {@code auth.strategy: keystone} against the real Keystone (Debian's package, started
 * by {@code deploy/keystone/start-test-keystone.sh}), with real tokens: spec/keystone.md §2, §3,
 * §5 and the SRBAC defaults of spec/security.md §1.2. Skipped when Keystone is not installed.
 *
 * <p>The long upload runs first: while it streams, the short-lived token taken for the
 * expired-token tests expires too, so the class waits for expiry only once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeystoneAuthIT {
  @RegisterExtension
  static final KeystoneImago imago = new KeystoneImago()
      .with("auth.keystone_authtoken.http_request_timeout", "10s");

  /** A node whose Keystone is not there at all: nothing listens on its auth_url. */
  @RegisterExtension
  static final ImagoServer noKeystone = new ImagoServer()
      .with("auth.strategy", "keystone")
      .with("auth.keystone_authtoken.auth_url", "http://127.0.0.1:" + closedPort())
      .with("auth.keystone_authtoken.username", "imago")
      .with("auth.keystone_authtoken.password", "secret")
      .with("auth.keystone_authtoken.project_name", "service")
      .with("auth.keystone_authtoken.http_connect_timeout", "2s")
      .with("auth.keystone_authtoken.http_request_timeout", "10s");

  private static Token expiring;

  private static TestKeystone keystone() {
    return imago.keystone();
  }

  private static Token expiredMemberToken() {
    synchronized (KeystoneAuthIT.class) {
      if (expiring == null) {
        expiring = keystone().shortToken("a-member");
      }
    }
    waitUntilExpired(expiring);
    return expiring;
  }

  @Test
  @Order(1)
  void anUploadThatOutlivesItsTokenCompletes() throws Exception {
    expiring = keystone().shortToken("a-member"); // expires during this test, used by the later ones
    Token token = keystone().shortToken("a-member");
    Http http = imago.http(token);
    String id = Fixtures.createImage(http).getString("id");
    byte[] data = Fixtures.bytes(3 * 1024 * 1024 + 17, 7);
    // stream the body slowly, for longer than the token lives (it is checked once, at the start: §5)
    Duration streaming = keystone().shortExpiration().plusSeconds(3);
    Http.Resp put = http.send("PUT", "/v2/images/" + id + "/file",
        HttpRequest.BodyPublishers.ofInputStream(() -> new SlowStream(data, 30, streaming)),
        "Content-Type", "application/octet-stream");

    assertThat(Instant.now()).as("the token expired during the upload").isAfter(token.expiresAt());
    assertThat(put.status()).isEqualTo(204);
    // the token is now refused, and a fresh one sees the finished image
    Http.assertGlanceError(http.get("/v2/images/" + id), 401);
    JsonObject image = imago.http(keystone().token("a-member")).get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("active");
    assertThat(image.getString("checksum")).isEqualTo(Fixtures.md5(data));
    assertThat(image.getString("os_hash_value")).isEqualTo(Fixtures.sha512(data));
    assertThat(image.getLong("size")).isEqualTo(data.length);
  }

  @Test
  @Order(2)
  void aProjectMemberCreatesUploadsAndDownloads() {
    Http member = imago.http(keystone().token("a-member"));
    JsonObject created = Fixtures.createImage(member, new JsonObject().put("name", "ks-member"));
    assertThat(created.getString("owner")).isEqualTo(keystone().projectId("imago-a"));
    byte[] data = Fixtures.bytes(100_000, 3);
    member.putBytes("/v2/images/" + created.getString("id") + "/file", data).expect(204);
    assertThat(member.get("/v2/images/" + created.getString("id") + "/file").expect(200).bytes()).isEqualTo(data);
    // the same token in the legacy header works too
    imago.anonymous().header("X-Storage-Token", keystone().token("a-member").id())
        .get("/v2/images/" + created.getString("id")).expect(200);
  }

  @Test
  @Order(2)
  void aReaderMayReadButNotCreate() {
    Http reader = imago.http(keystone().token("a-reader"));
    Http.assertGlanceError(reader.post("/v2/images", new JsonObject().put("disk_format", "raw")
        .put("container_format", "bare")), 403);
    reader.get("/v2/images").expect(200);
  }

  @Test
  @Order(2)
  void anAdminTokenSeesAndPublicizesAnotherProjectsImageWhichAMemberMayNot() {
    Http member = imago.http(keystone().token("a-member"));
    String id = Fixtures.createImage(member, new JsonObject().put("name", "a-private")).getString("id");
    JsonArray publicize = new JsonArray().add(
        new JsonObject().put("op", "replace").put("path", "/visibility").put("value", "public"));
    Http.assertGlanceError(member.patch("/v2/images/" + id, publicize), 403);

    Http admin = imago.http(keystone().projectAdminToken());
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getString("owner"))
        .isEqualTo(keystone().projectId("imago-a"));
    assertThat(admin.patch("/v2/images/" + id, publicize).expect(200).json().getString("visibility"))
        .isEqualTo("public");
    // now project B's reader sees it too
    imago.http(keystone().token("b-reader")).get("/v2/images/" + id).expect(200);
  }

  @Test
  @Order(2)
  void anotherProjectsPrivateImageIsNotFound() {
    String id = Fixtures.createImage(imago.http(keystone().token("a-member")),
        new JsonObject().put("visibility", "private")).getString("id");
    Http.assertGlanceError(imago.http(keystone().token("b-member")).get("/v2/images/" + id), 404);
  }

  @Test
  @Order(2)
  void identityHeadersFromClientsAreIgnored() {
    // no token: the headers noauth mode would trust do not make an identity
    Http.Resp r = imago.anonymous().header("X-Identity-Status", "Confirmed").header("X-Roles", "admin")
        .header("X-Project-Id", "admin").get("/v2/images");
    assertUnauthorized(r);
    // a reader's token with headers claiming admin of another project: still a reader of imago-a
    Http spoofing = imago.http(keystone().token("a-reader")).header("X-Roles", "admin,member")
        .header("X-Project-Id", keystone().projectId("imago-b")).header("X-Identity-Status", "Confirmed");
    Http.assertGlanceError(spoofing.post("/v2/images", new JsonObject().put("disk_format", "raw")
        .put("container_format", "bare")), 403);
  }

  @Test
  @Order(2)
  void missingOrUnknownTokensAre401WithWhereToAuthenticate() {
    assertUnauthorized(imago.anonymous().get("/v2/images"));
    assertUnauthorized(imago.anonymous().header("X-Auth-Token", "garbage").get("/v2/images"));
    assertUnauthorized(imago.anonymous().header("X-Auth-Token", "gAAAAABnot-a-real-fernet-token").post("/v2/images",
        new JsonObject()));
  }

  @Test
  @Order(2)
  void versionsAndHealthcheckNeedNoToken() {
    imago.anonymous().get("/versions").expect(200);
    imago.anonymous().get("/").expect(300);
    imago.anonymous().get("/healthcheck").expect(200);
  }

  @Test
  @Order(3)
  void anExpiredTokenIs401() {
    assertUnauthorized(imago.http(expiredMemberToken()).get("/v2/images"));
  }

  @Test
  @Order(3)
  void aServiceTokenLetsAnExpiredUserTokenThrough() {
    Token expired = expiredMemberToken();
    Http withService = imago.http(expired).header("X-Service-Token", keystone().token("nova").id());
    withService.get("/v2/images").expect(200);
    JsonObject created = Fixtures.createImage(withService);
    assertThat(created.getString("owner")).as("the user's project, not the service's")
        .isEqualTo(keystone().projectId("imago-a"));

    // a service token without the service role does not (it is a user's token)
    Http notService = imago.http(expired).header("X-Service-Token", keystone().token("b-member").id());
    assertUnauthorized(notService.get("/v2/images"));
    // nor does a service token that is not valid
    assertUnauthorized(imago.http(expired).header("X-Service-Token", "garbage").get("/v2/images"));
  }

  @Test
  @Order(2)
  void aSystemScopedTokenIsRefusedForImageCalls() {
    Http system = imago.http(keystone().systemAdminToken());
    Http.assertGlanceError(system.get("/v2/images"), 403);
    Http.assertGlanceError(system.post("/v2/images", new JsonObject().put("disk_format", "raw")
        .put("container_format", "bare")), 403);
  }

  @Test
  @Order(2)
  void aValidatedTokenIsNotCheckedAgainWhileCached() {
    Http member = imago.http(keystone().token("a-member"));
    int before = imago.proxy().count("GET /v3/auth/tokens");
    member.get("/v2/images").expect(200);
    int afterFirst = imago.proxy().count("GET /v3/auth/tokens");
    member.get("/v2/images").expect(200);
    member.get("/v2/images").expect(200);
    assertThat(afterFirst - before).as("first use validates").isEqualTo(1);
    assertThat(imago.proxy().count("GET /v3/auth/tokens")).as("later uses come from the cache").isEqualTo(afterFirst);
  }

  @Test
  @Order(2)
  void aBurstWithOneNewTokenValidatesItOnce() throws Exception {
    Http member = imago.http(keystone().token("a-member"));
    int before = imago.proxy().count("GET /v3/auth/tokens");
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        statuses.add(pool.submit(() -> {
          go.await();
          return member.get("/v2/images").status();
        }));
      }
      go.countDown();
      for (Future<Integer> s : statuses) {
        assertThat(s.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(imago.proxy().count("GET /v3/auth/tokens") - before).isEqualTo(1);
  }

  @Test
  @Order(4)
  void aHangingOrDyingKeystoneIs503() {
    Http member = imago.http(keystone().token("a-member")); // a new token: not cached
    imago.proxy().mode(KeystoneProxy.Mode.HANG);
    try {
      Http.assertGlanceError(member.get("/v2/images"), 503);
      imago.proxy().mode(KeystoneProxy.Mode.DOWN);
      Http.assertGlanceError(member.get("/v2/images"), 503);
    } finally {
      imago.proxy().mode(KeystoneProxy.Mode.FORWARD);
    }
    // once Keystone is back, the same token works (a failed check is not cached)
    member.get("/v2/images").expect(200);
  }

  @Test
  void noKeystoneAtAllIs503AndMissingTokensStill401() {
    Http.assertGlanceError(noKeystone.http().header("X-Auth-Token", "some-token").get("/v2/images"), 503);
    assertThat(noKeystone.http().get("/v2/images").status()).isEqualTo(401);
    noKeystone.http().get("/healthcheck").expect(200);
  }

  private void assertUnauthorized(Http.Resp r) {
    Http.assertGlanceError(r, 401);
    assertThat(r.header("WWW-Authenticate")).isEqualTo("Keystone uri=\"" + keystone().url() + "\"");
  }

  private static void waitUntilExpired(Token t) {
    while (!Instant.now().isAfter(t.expiresAt().plusSeconds(1))) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A request body that trickles out in {@code chunks} pieces over {@code total}. */
  private static final class SlowStream extends InputStream {
    private final byte[] data;
    private final int chunk;
    private final long pauseMillis;
    private int pos;
    private int sentInChunk;

    SlowStream(byte[] data, int chunks, Duration total) {
      this.data = data;
      this.chunk = (data.length + chunks - 1) / chunks;
      this.pauseMillis = total.toMillis() / chunks;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= data.length) {
        return -1;
      }
      if (sentInChunk >= chunk) {
        sentInChunk = 0;
        try {
          Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      int n = Math.min(Math.min(len, chunk - sentInChunk), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      sentInChunk += n;
      return n;
    }
  }
}
