package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /healthcheck} as oslo.middleware answers it (spec/keystone.md §7), and {@code /metrics}. */
class HealthAndMetricsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("http.healthcheck_disable_file", "healthcheck_disable");

  private final Http http = server.http();

  @Test
  void healthcheckByAcceptAndMethod() {
    Http.Resp text = http.get("/healthcheck", "Accept", null).expect(200);
    assertThat(text.header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
    assertThat(text.body()).isEqualTo("OK");
    assertThat(text.header("X-Openstack-Request-Id")).isNull();
    assertThat(http.get("/healthcheck", "Accept", "*/*").expect(200).body()).isEqualTo("OK");
    // plain text wins a tie with JSON
    assertThat(http.get("/healthcheck", "Accept", "application/json, */*").expect(200).body()).isEqualTo("OK");

    Http.Resp json = http.get("/healthcheck", "Accept", "application/json").expect(200);
    assertThat(json.header("Content-Type")).startsWith("application/json");
    assertThat(json.json())
        .isEqualTo(new JsonObject().put("detailed", false).put("reasons", new JsonArray().add("OK")));

    Http.Resp html = http.get("/healthcheck", "Accept", "text/html").expect(200);
    assertThat(html.header("Content-Type")).isEqualTo("text/html; charset=UTF-8");
    assertThat(html.body()).contains("<TD>OK</TD>");

    Http.Resp head = http.send("HEAD", "/healthcheck", BodyPublishers.noBody());
    assertThat(head.status()).isEqualTo(204);
    assertThat(head.bytes()).isEmpty();
    // any other method is a GET for oslo.middleware
    assertThat(http.send("POST", "/healthcheck", BodyPublishers.ofString("x"), "Accept", null).expect(200).body())
        .isEqualTo("OK");
    // no authentication
    http.get("/healthcheck", "X-Identity-Status", "Invalid").expect(200);
  }

  @Test
  void theDisableFileTurnsTheNodeOff() throws Exception {
    Path file = server.dataDir().resolve("healthcheck_disable");
    Files.writeString(file, "");
    try {
      Http.Resp r = http.get("/healthcheck", "Accept", null);
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("DISABLED BY FILE");
      assertThat(http.send("HEAD", "/healthcheck", BodyPublishers.noBody()).status()).isEqualTo(503);
      assertThat(http.get("/healthcheck", "Accept", "application/json").json().getJsonArray("reasons"))
          .containsExactly("DISABLED BY FILE");
      // the API itself keeps serving: the file only tells load balancers to drain this node
      http.get("/v2/info/usage").expect(200);
    } finally {
      Files.delete(file);
    }
    assertThat(http.get("/healthcheck", "Accept", null).expect(200).body()).isEqualTo("OK");
  }

  @Test
  void metricsCountRequestsAndImageBytes() {
    byte[] data = Fixtures.bytes(70_000, 21);
    String id = Fixtures.activeImage(http, data);
    http.get("/v2/images/" + id + "/file").expect(200);
    http.get("/v2/images/" + id + "/file", "Range", "bytes=0-9").expect(206);

    Http.Resp r = http.get("/metrics").expect(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    String text = r.body();
    assertThat(text).contains("vertx_http_server_requests_total{");
    assertThat(counter(text, "imago_upload_bytes_total")).isGreaterThanOrEqualTo(data.length);
    assertThat(counter(text, "imago_download_bytes_total")).isGreaterThanOrEqualTo(data.length + 10);
  }

  /** The value of an untagged counter in the Prometheus text format. */
  private static double counter(String scrape, String name) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " not in the scrape");
  }
}
