package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The HTTP listener.
 *
 * @param bind address to listen on ({@code IMAGO_BIND})
 * @param port TCP port, 0 for any free port ({@code IMAGO_HTTP_PORT})
 * @param eventLoops HTTP verticle instances (event loops); 0 means one per core
 * @param maxChunkSize largest body chunk handed to the upload pipeline; Vert.x's 8 KiB default
 *     caps uploads at about 300 MB/s (DEPENDENCIES.md G9)
 * @param maxJsonBodySize largest JSON request body; larger ones are answered 413
 * @param publicEndpoint Glance's {@code public_endpoint}: the base URL used in the versions
 *     document and {@code Location} headers instead of the request's own host, or null
 * @param shutdownTimeout how long a graceful shutdown waits for in-flight downloads
 * @param healthcheckDisableFile oslo.middleware's {@code disable_by_file_path}: while this file
 *     exists {@code /healthcheck} answers 503, so a load balancer drains the node; or null
 * @param maxConnections most client connections open at once; 0 sizes it from the process's
 *     descriptor limit ({@code api/Connections#defaultMaxConnections}). Beyond it the oldest
 *     connection that has no request in progress is closed, or, when every one is busy, the new
 *     one is answered 503 and closed
 * @param headerTimeout how long a connection may take to send a complete request head, from its
 *     accept or from the first byte of a later request (slowloris); 0 = none
 * @param idleTimeout how long a connection may stay open between requests; Glance's
 *     {@code client_socket_timeout} (900 s there); 0 = none
 * @param bodyTimeout how long a request body may stall (no byte while Imago is reading it) before
 *     its connection is closed: a stalled upload fails as if the client had hung up; 0 = none
 * @param sendTimeout how long a response may make no progress (the client stopped reading) before
 *     its connection is closed; nginx's {@code send_timeout}; 0 = none
 */
public record HttpConfig(
    String bind,
    int port,
    int eventLoops,
    int maxChunkSize,
    long maxJsonBodySize,
    String publicEndpoint,
    Duration shutdownTimeout,
    Path healthcheckDisableFile,
    int maxConnections,
    Duration headerTimeout,
    Duration idleTimeout,
    Duration bodyTimeout,
    Duration sendTimeout) {

  public HttpConfig {
    requireNonNull(bind, "bind");
    requireNonNull(shutdownTimeout, "shutdownTimeout");
    if (port < 0 || port > 65535) {
      throw new ConfigException("http.port: " + port + " (expected: 0..65535)");
    }
    if (eventLoops < 0) {
      throw new ConfigException("http.event_loops: " + eventLoops + " (expected: >= 0)");
    }
    if (maxChunkSize < 1024 || maxChunkSize > 16 << 20) {
      throw new ConfigException("http.max_chunk_size: " + maxChunkSize + " (expected: 1KiB..16MiB)");
    }
    if (maxJsonBodySize < 1024) {
      throw new ConfigException("http.max_json_body_size: " + maxJsonBodySize + " (expected: >= 1024)");
    }
    if (maxConnections < 0) {
      throw new ConfigException("http.max_connections: " + maxConnections + " (expected: >= 0; 0 = from the descriptor limit)");
    }
    requireNonNull(headerTimeout, "headerTimeout");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(bodyTimeout, "bodyTimeout");
    requireNonNull(sendTimeout, "sendTimeout");
    for (var t : new Object[][] {{"header_timeout", headerTimeout}, {"idle_timeout", idleTimeout},
        {"body_timeout", bodyTimeout}, {"send_timeout", sendTimeout}}) {
      Duration d = (Duration) t[1];
      if (d.isNegative() || (!d.isZero() && d.toMillis() < 100)) {
        throw new ConfigException("http." + t[0] + ": " + d.toMillis() + "ms (expected: 0 or >= 100ms)");
      }
    }
    if (publicEndpoint != null && publicEndpoint.endsWith("/")) {
      publicEndpoint = publicEndpoint.substring(0, publicEndpoint.length() - 1);
    }
  }

  /** {@code http.*} and their defaults; a relative {@code healthcheck_disable_file} is in {@code dataDir}. */
  static HttpConfig read(ConfigTree t, Path dataDir) {
    return new HttpConfig(
        t.string("http.bind", "127.0.0.1"),
        t.integer("http.port", 9292),
        t.integer("http.event_loops", 0),
        (int) t.bytes("http.max_chunk_size", 256 * 1024),
        t.bytes("http.max_json_body_size", 1 << 20),
        t.string("http.public_endpoint", null),
        t.duration("http.shutdown_timeout", Duration.ofSeconds(30)),
        t.path("http.healthcheck_disable_file", null, dataDir),
        t.integer("http.max_connections", 0),
        t.duration("http.header_timeout", Duration.ofSeconds(30)),
        t.duration("http.idle_timeout", Duration.ofSeconds(75)),
        t.duration("http.body_timeout", Duration.ofSeconds(60)),
        t.duration("http.send_timeout", Duration.ofSeconds(60)));
  }
}
