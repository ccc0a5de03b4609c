package io.imago.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An Image API v2 endpoint as the harness sees it: plain HTTP with either a Keystone token or the
 * trusted identity headers (Imago's no-auth mode, Glance behind {@code keystonemiddleware} or with
 * the {@code context} middleware alone). Every call is asynchronous: {@link HttpClient} multiplexes
 * hundreds of HTTP/1.1 connections over a few selector and executor threads.
 */
public final class Api implements AutoCloseable {
  /** The media type of Glance's PATCH dialect, API 2.1 (spec images-api §4.4). */
  static final String PATCH_TYPE = "application/openstack-images-v2.1-json-patch";

  final String base;
  private final Auth auth;
  private final HttpClient http;
  private final ExecutorService executor;

  /** Who the harness is towards the endpoint. */
  public record Auth(String token, String project, String roles, String user) {
    /** Identity headers of an admin of project {@code bench}, accepted by Imago and GREF_AUTH=headers. */
    public static Auth headers(String project, String roles) {
      return new Auth(null, project, roles, "bench-user");
    }

    public static Auth token(String token) {
      return new Auth(token, null, null, null);
    }

    void apply(HttpRequest.Builder b) {
      if (token != null) {
        b.header("X-Auth-Token", token);
      } else {
        // what keystonemiddleware would set after validating a token
        b.header("X-Identity-Status", "Confirmed");
        b.header("X-Project-Id", project);
        b.header("X-Tenant-Id", project);
        b.header("X-Roles", roles);
        b.header("X-User-Id", user);
      }
    }
  }

  /** A non-2xx answer. */
  public static final class HttpError extends RuntimeException {
    final int status;

    HttpError(String what, int status, String body) {
      super(what + " → HTTP " + status + (body == null || body.isBlank() ? "" : ": " + Json.abbreviate(body.strip())));
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public Api(String base, Auth auth) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.auth = auth;
    // A small pool: the client's own selector thread does the I/O; these only run completions.
    this.executor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "bench-http");
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1) // bulk data over HTTP/1.1, as compute nodes do
        .connectTimeout(Duration.ofSeconds(10))
        .executor(executor)
        .build();
  }

  public Executor executor() {
    return executor;
  }

  public HttpClient client() {
    return http;
  }

  /** Password authentication against Keystone v3; returns the token from {@code X-Subject-Token}. */
  public static String keystoneToken(String authUrl, String user, String password, String project,
      String userDomain, String projectDomain) throws Exception {
    String body = Json.write(Map.of("auth", Map.of(
        "identity", Map.of("methods", List.of("password"), "password", Map.of("user",
            Map.of("name", user, "password", password, "domain", Map.of("name", userDomain)))),
        "scope", Map.of("project", Map.of("name", project, "domain", Map.of("name", projectDomain))))));
    String url = authUrl.replaceAll("/+$", "");
    if (!url.endsWith("/v3")) {
      url += "/v3";
    }
    HttpClient c = HttpClient.newHttpClient();
    HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url + "/auth/tokens"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new HttpError("POST " + url + "/auth/tokens", r.statusCode(), r.body());
    }
    return r.headers().firstValue("X-Subject-Token").orElseThrow();
  }

  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(30));
    auth.apply(b);
    return b;
  }

  /** Sends a request and reads a small text body; fails on a non-2xx status. */
  public CompletableFuture<HttpResponse<String>> text(String what, HttpRequest req) {
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).thenApply(r -> {
      if (r.statusCode() / 100 != 2) {
        throw new HttpError(what, r.statusCode(), r.body());
      }
      return r;
    });
  }

  /** The status only (body discarded); never fails on a status. */
  public CompletableFuture<HttpResponse<String>> probe(String method, String path) {
    return http.sendAsync(request(path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public CompletableFuture<Map<String, Object>> json(String what, HttpRequest req) {
    return text(what, req).thenApply(r -> r.body().isBlank() ? Map.of() : Json.object(r.body()));
  }

  public CompletableFuture<Map<String, Object>> createImage(String name, Map<String, Object> extra) {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("name", name);
    body.put("disk_format", "raw");
    body.put("container_format", "bare");
    body.putAll(extra);
    return json("POST /v2/images", request("/v2/images").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build());
  }

  public CompletableFuture<Map<String, Object>> image(String id) {
    return json("GET image", request("/v2/images/" + id).GET().build());
  }

  public CompletableFuture<Map<String, Object>> list(String query) {
    return json("GET /v2/images", request("/v2/images" + query).GET().build());
  }

  /** One {@code add} (which in 2.1 also replaces) of a custom property. */
  public CompletableFuture<Map<String, Object>> setProperty(String id, String key, String value) {
    String patch = Json.write(List.of(Map.of("op", "add", "path", "/" + key, "value", value)));
    return json("PATCH image", request("/v2/images/" + id).header("Content-Type", PATCH_TYPE)
        .method("PATCH", HttpRequest.BodyPublishers.ofString(patch)).build());
  }

  public CompletableFuture<Void> delete(String id) {
    return text("DELETE image", request("/v2/images/" + id).DELETE().build()).thenApply(r -> null);
  }

  /** {@code PUT /file} of generated data. */
  public CompletableFuture<Void> upload(String id, Data data) {
    return text("PUT /file", request("/v2/images/" + id + "/file")
        .header("Content-Type", "application/octet-stream").PUT(data.publisher()).build()).thenApply(r -> null);
  }

  /** {@code PUT /stage} of generated data (interoperable import, step 1). */
  public CompletableFuture<Void> stage(String id, Data data) {
    return text("PUT /stage", request("/v2/images/" + id + "/stage")
        .header("Content-Type", "application/octet-stream").PUT(data.publisher()).build()).thenApply(r -> null);
  }

  /** {@code POST /import} with {@code glance-direct}. */
  public CompletableFuture<Void> importDirect(String id) {
    return text("POST /import", request("/v2/images/" + id + "/import").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"method\": {\"name\": \"glance-direct\"}}")).build())
        .thenApply(r -> null);
  }

  /** The import methods the endpoint advertises ({@code GET /v2/info/import}); empty if it has none. */
  @SuppressWarnings("unchecked")
  public List<String> importMethods() {
    try {
      Map<String, Object> m = json("GET /v2/info/import", request("/v2/info/import").GET().build()).join();
      Object methods = ((Map<String, Object>) m.get("import-methods")).get("value");
      return methods instanceof List ? (List<String>) methods : List.of();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /**
   * Polls every 100 ms, without holding a thread, until the image is {@code active} or
   * {@code killed}, or an import failed ({@code os_glance_failed_import} names a store), or the
   * timeout passes.
   */
  public CompletableFuture<Map<String, Object>> awaitSettled(String id, long deadlineNanos) {
    return image(id).thenCompose(img -> {
      String st = String.valueOf(img.get("status"));
      Object failedImport = img.get("os_glance_failed_import");
      if ("active".equals(st) || "killed".equals(st)
          || (failedImport instanceof String f && !f.isBlank())) {
        return CompletableFuture.completedFuture(img);
      }
      if (System.nanoTime() > deadlineNanos) {
        return CompletableFuture.failedFuture(new IllegalStateException("image " + id + " still " + st));
      }
      return CompletableFuture.supplyAsync(() -> null,
          CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS, executor))
          .thenCompose(v -> awaitSettled(id, deadlineNanos));
    });
  }

  /**
   * Creates and uploads {@code count} images of the given data, one after the other (setup is not
   * measured, and the reference Glance's sqlite answers concurrent writes with "database is
   * locked" 500s); returns them as the server shows them afterwards.
   */
  public List<Map<String, Object>> seedImages(String prefix, int count, Data data) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      String id = (String) createImage(prefix + "-" + k, Map.of()).join().get("id");
      upload(id, data).join();
      out.add(image(id).join());
    }
    return out;
  }

  /** Best-effort cleanup of what a scenario created. */
  public void deleteAll(List<String> ids) {
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (String id : ids) {
      fs.add(delete(id).exceptionally(t -> null));
    }
    fs.forEach(CompletableFuture::join);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
