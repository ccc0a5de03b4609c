package io.imago.clients;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for Keystone v3 that answers only {@code POST /v3/auth/tokens}: any credentials get
 * a project-scoped token whose catalog points the {@code image} service at the server under test
 * (DEPENDENCIES.md §3.7). Enough for openstack4j, which authenticates before its first call and
 * then talks to the catalog's image endpoint with {@code X-Auth-Token}. Imago in {@code noauth}
 * mode ignores the token itself.
 */
final class FakeKeystone implements AutoCloseable {
  static final String PROJECT = "admin";

  private final HttpServer server;
  private final String imageEndpoint;
  private final List<String> issuedTokens = new CopyOnWriteArrayList<>();

  private FakeKeystone(HttpServer server, String imageEndpoint) {
    this.server = server;
    this.imageEndpoint = imageEndpoint;
  }

  /** Starts on a free loopback port; {@code imageEndpoint} is the catalog's image URL. */
  static FakeKeystone start(String imageEndpoint) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    FakeKeystone keystone = new FakeKeystone(server, imageEndpoint);
    server.createContext("/v3/auth/tokens", keystone::tokens);
    server.start();
    return keystone;
  }

  /** The identity endpoint clients are configured with ({@code .../v3}). */
  String authUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v3";
  }

  /** Every token issued so far, in order. */
  List<String> issuedTokens() {
    return List.copyOf(issuedTokens);
  }

  private void tokens(HttpExchange ex) throws IOException {
    try (ex; InputStream in = ex.getRequestBody()) {
      in.readAllBytes();
      if (!ex.getRequestMethod().equals("POST")) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      String token = "fake-" + UUID.randomUUID();
      issuedTokens.add(token);
      byte[] body = tokenBody().encode().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.getResponseHeaders().set("X-Subject-Token", token);
      ex.sendResponseHeaders(201, body.length);
      ex.getResponseBody().write(body);
    }
  }

  private JsonObject tokenBody() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject domain = new JsonObject().put("id", "default").put("name", "Default");
    return new JsonObject().put("token", new JsonObject()
        .put("methods", new JsonArray().add("password"))
        .put("issued_at", now.toString())
        .put("expires_at", now.plus(1, ChronoUnit.HOURS).toString())
        .put("user", new JsonObject().put("id", "admin-user").put("name", "admin").put("domain", domain))
        .put("project", new JsonObject().put("id", PROJECT).put("name", PROJECT).put("domain", domain))
        .put("roles", new JsonArray()
            .add(new JsonObject().put("id", "r-admin").put("name", "admin"))
            .add(new JsonObject().put("id", "r-member").put("name", "member"))
            .add(new JsonObject().put("id", "r-reader").put("name", "reader")))
        .put("catalog", new JsonArray()
            .add(service("image", "glance", imageEndpoint))
            .add(service("identity", "keystone", authUrl()))));
  }

  private static JsonObject service(String type, String name, String url) {
    return new JsonObject().put("id", type + "-service").put("type", type).put("name", name)
        .put("endpoints", new JsonArray().add(new JsonObject().put("id", type + "-public").put("interface", "public")
            .put("region", "RegionOne").put("region_id", "RegionOne").put("url", url)));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
