package io.imago.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small blocking HTTP client for tests (the JDK's), with Glance-aware helpers. Every request
 * sends {@code Accept: application/json} unless a test sets another, so errors come back as JSON.
 */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  private final String base;
  private final Map<String, String> defaults = new LinkedHashMap<>();

  public Http(String base) {
    this.base = base;
    defaults.put("Accept", "application/json");
  }

  /** A client that sends these identity headers (trusted-header auth) on every request. */
  public Http as(String project, String... roles) {
    Http h = new Http(base);
    h.defaults.putAll(defaults);
    h.defaults.put("X-Identity-Status", "Confirmed");
    h.defaults.put("X-Project-Id", project);
    h.defaults.put("X-User-Id", "user-" + project);
    h.defaults.put("X-Roles", String.join(",", roles));
    return h;
  }

  /** A client that sends {@code name: value} on every request. */
  public Http header(String name, String value) {
    Http h = new Http(base);
    h.defaults.putAll(defaults);
    h.defaults.put(name, value);
    return h;
  }

  /**
   * {@code GET url} on a connection of its own ({@code Connection: close}), answered within
   * {@code timeoutMs}: the status, or -1 when the connection closed or timed out without one.
   */
  public static int statusWithin(String url, int timeoutMs) {
    URI u = URI.create(url);
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()), timeoutMs);
      s.setSoTimeout(timeoutMs);
      s.getOutputStream().write(("GET " + u.getRawPath() + " HTTP/1.1\r\nHost: " + u.getHost()
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] line = s.getInputStream().readNBytes(12);
      String text = new String(line, java.nio.charset.StandardCharsets.US_ASCII);
      return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  public Resp get(String path, String... headers) {
    return send("GET", path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  public Resp delete(String path, String... headers) {
    return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), headers);
  }

  public Resp post(String path, Object json, String... headers) {
    return send("POST", path, body(json), withDefault(headers, "Content-Type", "application/json"));
  }

  public Resp put(String path, Object json, String... headers) {
    return send("PUT", path, body(json), withDefault(headers, "Content-Type", "application/json"));
  }

  /** PATCH with the v2.1 JSON-patch media type unless a Content-Type header is given. */
  public Resp patch(String path, Object json, String... headers) {
    return send("PATCH", path, body(json),
        withDefault(headers, "Content-Type", "application/openstack-images-v2.1-json-patch"));
  }

  public Resp putBytes(String path, byte[] data, String... headers) {
    return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(data),
        withDefault(headers, "Content-Type", "application/octet-stream"));
  }

  /** PUT with a body of unknown length: sent chunked, without Content-Length. */
  public Resp putChunked(String path, byte[] data, String... headers) {
    return send("PUT", path, HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data)),
        withDefault(headers, "Content-Type", "application/octet-stream"));
  }

  public Resp send(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
        .method(method, body);
    Map<String, String> h = new LinkedHashMap<>(defaults);
    for (int i = 0; i < headers.length; i += 2) {
      h.put(headers[i], headers[i + 1]);
    }
    h.forEach((k, v) -> {
      if (v != null) {
        b.setHeader(k, v);
      }
    });
    try {
      HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Resp(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest.BodyPublisher body(Object json) {
    if (json == null) {
      return HttpRequest.BodyPublishers.noBody();
    }
    String text = json instanceof String s ? s : json instanceof JsonObject o ? o.encode()
        : json instanceof JsonArray a ? a.encode() : io.vertx.core.json.Json.encode(json);
    return HttpRequest.BodyPublishers.ofString(text);
  }

  private static String[] withDefault(String[] headers, String name, String value) {
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase(name)) {
        return headers;
      }
    }
    List<String> l = new ArrayList<>(List.of(headers));
    l.add(name);
    l.add(value);
    return l.toArray(new String[0]);
  }

  /** A response. */
  public record Resp(int status, Map<String, List<String>> headers, byte[] bytes) {
    public String body() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(body());
    }

    public JsonArray jsonArray() {
      return new JsonArray(body());
    }

    /** A header's first value, case-insensitively, or null. */
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    /** Asserts the status, with the body in the failure message. */
    public Resp expect(int expected) {
      assertThat(status).as("HTTP status of a response with body: %s", body()).isEqualTo(expected);
      return this;
    }

    @Override
    public String toString() {
      return status + " " + body();
    }
  }

  /**
   * Asserts a Glance error: the status, a request id, and the flat JSON body WebOb produces for
   * {@code Accept: application/json} ({@code message}, {@code code} = status line, {@code title}).
   */
  public static void assertGlanceError(Resp r, int status) {
    r.expect(status);
    assertThat(r.header("X-Openstack-Request-Id")).as("request id").startsWith("req-");
    JsonObject body = r.json();
    assertThat(body.getString("code")).startsWith(status + " ");
    assertThat(body.getString("title")).isNotBlank();
    assertThat(body.getString("message")).isNotNull();
  }
}
