package io.imago.db;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node's own embedded PostgreSQL is killed (SIGKILL of its postmaster, as the OOM killer
 * would): the node starts it again by itself, every request meanwhile gets either its answer or a
 * 503 with {@code Retry-After} (never 500), and nothing stored before is lost.
 */
class EmbeddedDatabaseSupervisionIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().ownDatabase();

  private static long restarts(Http admin) {
    JsonObject detailed = admin.get("/healthcheck/detailed").expect(200).json();
    JsonObject embedded = detailed.getJsonArray("reasons").stream().map(JsonObject.class::cast)
        .filter(r -> "EmbeddedDatabaseCheck".equals(r.getString("class"))).findFirst().orElseThrow();
    return embedded.getJsonObject("details").getLong("restarts");
  }

  @Test
  void aKilledPostmasterIsRestartedAndNoRequestGets500() throws Exception {
    Http admin = server.http();
    String id = admin.post("/v2/images", new JsonObject().put("name", "kept")).expect(201).json().getString("id");
    long pid = Long.parseLong(Files.readAllLines(server.dataDir().resolve("postgres").resolve("postmaster.pid"))
        .get(0).trim());
    ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
    assertThat(postmaster.destroyForcibly()).isTrue();
    postmaster.onExit().get();

    List<Integer> statuses = new ArrayList<>();
    Await.until("the node serves its images again", () -> {
      Http.Resp r = admin.get("/v2/images/" + id);
      statuses.add(r.status());
      if (r.status() == 503) {
        assertGlanceError(r, 503);
        assertThat(r.header("Retry-After")).isNotNull();
      }
      return r.status() == 200;
    });
    assertThat(statuses).as("statuses while the database was down and back").allMatch(s -> s == 200 || s == 503);
    Await.until("/healthcheck is OK", () -> admin.get("/healthcheck").status() == 200);

    // the supervisor counts the restart when pg_ctl returns, a moment after the server already
    // accepts connections (which is how the requests above got through)
    Await.until("the detailed health view counts the restart", () -> restarts(admin) >= 1);
    long newPid = Long.parseLong(Files.readAllLines(server.dataDir().resolve("postgres").resolve("postmaster.pid"))
        .get(0).trim());
    assertThat(newPid).isNotEqualTo(pid);
    assertThat(admin.get("/v2/images/" + id).expect(200).json().getString("name")).isEqualTo("kept");
    admin.post("/v2/images", new JsonObject().put("name", "after")).expect(201);
  }
}
