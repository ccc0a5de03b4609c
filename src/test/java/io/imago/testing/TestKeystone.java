package io.imago.testing;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The real Keystone (Debian's {@code keystone} package) for the tests: started once per test JVM
 * by {@code deploy/keystone/start-test-keystone.sh} (state under {@code target/test-keystone}),
 * stopped when the JVM exits. Two instances share the users and keys: {@link #url()} issues
 * tokens valid for an hour, {@link #shortUrl()} tokens that expire after a few seconds.
 */
public final class TestKeystone {
  private static final Path SCRIPT = Path.of("deploy", "keystone", "start-test-keystone.sh").toAbsolutePath();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static volatile TestKeystone instance;

  private final JsonObject info;

  private TestKeystone(JsonObject info) {
    this.info = info;
  }

  /** Whether Keystone is installed here (else the Keystone tests skip). */
  public static boolean installed() {
    return onPath("keystone-wsgi-public") && onPath("keystone-manage");
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, binary))) {
        return true;
      }
    }
    return false;
  }

  public static synchronized TestKeystone get() {
    if (instance == null) {
      try {
        instance = start();
      } catch (IOException e) {
        throw new IllegalStateException("start the test Keystone", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  private static TestKeystone start() throws IOException, InterruptedException {
    Path dir = Path.of("target", "test-keystone").toAbsolutePath();
    Files.createDirectories(dir);
    Path log = dir.resolve("start.log");
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "start").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("IMAGO_TEST_KEYSTONE_DIR", dir.toString());
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("start-test-keystone.sh failed: " + Files.readString(log));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        ProcessBuilder stop = new ProcessBuilder("bash", SCRIPT.toString(), "stop").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        stop.environment().put("IMAGO_TEST_KEYSTONE_DIR", dir.toString());
        stop.start().waitFor(30, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        // the JVM is exiting; the next start reuses or replaces the instances
      }
    }));
    return new TestKeystone(new JsonObject(Files.readString(dir.resolve("keystone.json"))));
  }

  /** The main instance's v3 URL. */
  public String url() {
    return info.getString("url");
  }

  /** The v3 URL of the instance whose tokens expire after {@link #shortExpiration()}. */
  public String shortUrl() {
    return info.getString("short_url");
  }

  public Duration shortExpiration() {
    return Duration.ofSeconds(info.getInteger("short_expiration_seconds"));
  }

  public String projectId(String name) {
    return info.getJsonObject("projects").getString(name);
  }

  public String imageServiceId() {
    return info.getString("image_service_id");
  }

  public String serviceUser() {
    return info.getJsonObject("service_user").getString("user");
  }

  public String serviceUserPassword() {
    return info.getJsonObject("service_user").getString("password");
  }

  public JsonObject info() {
    return info.copy();
  }

  /** Points the catalog's image endpoint at {@code url} (as the cloud's admin would for a new Glance). */
  public void moveImageEndpoint(String url) {
    Token admin = systemAdminToken();
    JsonObject body = new JsonObject().put("endpoint", new JsonObject().put("url", url));
    HttpRequest req = HttpRequest.newBuilder(URI.create(url() + "/endpoints/" + info.getString("image_endpoint_id")))
        .header("Content-Type", "application/json").header("X-Auth-Token", admin.id()).timeout(Duration.ofSeconds(30))
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build();
    try {
      HttpResponse<String> resp = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("moving the image endpoint: " + resp.statusCode() + " " + resp.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A token issued by Keystone, with its expiry. */
  public record Token(String id, Instant expiresAt, JsonObject body) {}

  /** A project-scoped token of a test user ({@code a-member}, {@code b-reader}, {@code nova}, …). */
  public Token token(String user) {
    return projectToken(url(), user);
  }

  /** The same, from the instance with short-lived tokens. */
  public Token shortToken(String user) {
    return projectToken(shortUrl(), user);
  }

  /** A system-scoped token of the bootstrap admin. */
  public Token systemAdminToken() {
    JsonObject admin = info.getJsonObject("admin");
    return issue(url(), admin.getString("user"), admin.getString("password"),
        new JsonObject().put("system", new JsonObject().put("all", true)));
  }

  /** A token of the bootstrap admin scoped to its {@code admin} project: a cloud admin as Glance sees one. */
  public Token projectAdminToken() {
    JsonObject admin = info.getJsonObject("admin");
    return issue(url(), admin.getString("user"), admin.getString("password"), new JsonObject().put("project",
        new JsonObject().put("name", admin.getString("project")).put("domain", new JsonObject().put("name", "Default"))));
  }

  private Token projectToken(String base, String user) {
    JsonObject u = info.getJsonObject("users").getJsonObject(user);
    return issue(base, user, u.getString("password"), new JsonObject().put("project",
        new JsonObject().put("name", u.getString("project")).put("domain", new JsonObject().put("name", "Default"))));
  }

  private static Token issue(String base, String user, String password, JsonObject scope) {
    JsonObject body = new JsonObject().put("auth", new JsonObject()
        .put("identity", new JsonObject().put("methods", new io.vertx.core.json.JsonArray().add("password"))
            .put("password", new JsonObject().put("user", new JsonObject().put("name", user).put("password", password)
                .put("domain", new JsonObject().put("name", "Default")))))
        .put("scope", scope));
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/auth/tokens?nocatalog"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode(), StandardCharsets.UTF_8)).build();
    try {
      HttpResponse<String> resp = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 201) {
        throw new IllegalStateException("Keystone refused a token for " + user + ": " + resp.statusCode() + " "
            + resp.body());
      }
      JsonObject token = new JsonObject(resp.body()).getJsonObject("token");
      return new Token(resp.headers().firstValue("X-Subject-Token").orElseThrow(),
          Instant.parse(token.getString("expires_at")), token);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
