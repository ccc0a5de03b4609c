package io.imago.db;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.db.embedded.EmbeddedPostgres;
import io.imago.testing.Await;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An external PostgreSQL goes down under a running node and comes back: meanwhile API calls answer
 * 503 with {@code Retry-After} and a message that names no internal address (never 500), and
 * {@code /healthcheck} answers 503 {@code DATABASE UNAVAILABLE}, so a load balancer stops sending
 * traffic; afterwards the node serves again by itself, nothing lost.
 */
class ExternalDatabaseOutageIT {
  private static final Path BINARIES = Path.of("target", "test-postgres").toAbsolutePath();
  private static EmbeddedPostgres external = startExternal();

  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("database.url", external.url("postgres"));

  private static EmbeddedPostgres startExternal() {
    try {
      Path dir = Files.createDirectories(Path.of("target", "outage-postgres").toAbsolutePath());
      return EmbeddedPostgres.start(BINARIES, Files.createTempDirectory(dir, "pg-").resolve("data"), 0, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() {
    external.close();
  }

  @Test
  void requestsGet503WithRetryAfterAndHealthcheckReportsItUntilTheDatabaseIsBack() throws Exception {
    Http admin = server.http();
    String id = admin.post("/v2/images", new JsonObject().put("name", "before")).expect(201).json().getString("id");
    admin.get("/healthcheck").expect(200);
    int port = external.port();
    Path data = external.dataDir();
    external.close();

    Http.Resp r = admin.get("/v2/images/" + id);
    assertGlanceError(r, 503);
    assertThat(r.header("Retry-After")).isEqualTo("5");
    assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain(":" + port).doesNotContain("postgres");
    assertGlanceError(admin.post("/v2/images", new JsonObject().put("name", "during")), 503);
    assertGlanceError(admin.get("/v2/images"), 503);

    Await.until("/healthcheck reports the database", () -> {
      Http.Resp h = admin.get("/healthcheck", "Accept", "text/plain");
      return h.status() == 503 && h.body().equals("DATABASE UNAVAILABLE");
    });
    JsonObject detailed = admin.get("/healthcheck/detailed").expect(503).json();
    assertThat(detailed.getBoolean("detailed")).isTrue();
    assertThat(detailed.getJsonArray("reasons").encode()).contains("DatabaseCheck").contains("DATABASE UNAVAILABLE");
    admin.as("p-someone", "member", "reader").get("/healthcheck/detailed").expect(403);

    external = EmbeddedPostgres.start(BINARIES, data, port, false);
    Await.until("/healthcheck is OK again", () -> admin.get("/healthcheck").status() == 200);
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getString("name")).isEqualTo("before");
    admin.post("/v2/images", new JsonObject().put("name", "after")).expect(201);
    assertThat(admin.get("/healthcheck/detailed").expect(200).json().getJsonArray("reasons").encode())
        .contains("StoreCheck").contains("usable_bytes");
  }
}
