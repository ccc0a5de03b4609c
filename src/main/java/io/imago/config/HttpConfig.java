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
 */
public record HttpConfig(
    String bind,
    int port,
    int eventLoops,
    int maxChunkSize,
    long maxJsonBodySize,
    String publicEndpoint,
    Duration shutdownTimeout,
    Path healthcheckDisableFile) {

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
        t.path("http.healthcheck_disable_file", null, dataDir));
  }
}
