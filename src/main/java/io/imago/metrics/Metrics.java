package io.imago.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every meter Imago defines, by name and tag, in one place. HTTP server meters
 * ({@code vertx_http_server_*}) come from Vert.x's Micrometer integration on the same registry.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry;
  private final Counter uploadBytes;
  private final Counter downloadBytes;
  private final Counter uploadsCompleted;
  private final Counter uploadsFailed;
  private final Timer uploadDuration;
  private final AtomicInteger uploadsInProgress = new AtomicInteger();
  private final AtomicInteger downloadsInProgress = new AtomicInteger();
  /** Why Imago closed client connections itself (api/Connections), registered up front: never on an event loop. */
  public static final java.util.List<String> CONNECTION_CLOSE_REASONS = java.util.List.of("header_timeout",
      "idle_timeout", "body_timeout", "send_timeout", "evicted", "refused", "malformed_body");
  private final java.util.Map<String, Counter> connectionsClosed = new java.util.HashMap<>();

  public Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.uploadBytes = Counter.builder("imago_upload_bytes")
        .description("Image bytes received by uploads (PUT /file)").baseUnit("bytes").register(registry);
    this.downloadBytes = Counter.builder("imago_download_bytes")
        .description("Image bytes sent by downloads (GET /file)").baseUnit("bytes").register(registry);
    this.uploadsCompleted = Counter.builder("imago_uploads").tag("outcome", "active")
        .description("Uploads by outcome").register(registry);
    this.uploadsFailed = Counter.builder("imago_uploads").tag("outcome", "failed")
        .description("Uploads by outcome").register(registry);
    this.uploadDuration = Timer.builder("imago_upload_duration")
        .description("Time from the first byte of an upload to its image becoming active").register(registry);
    registry.gauge("imago_uploads_in_progress", uploadsInProgress);
    registry.gauge("imago_downloads_in_progress", downloadsInProgress);
    for (String reason : CONNECTION_CLOSE_REASONS) {
      connectionsClosed.put(reason, Counter.builder("imago_http_connections_closed").tag("reason", reason)
          .description("Client connections Imago closed or refused itself, by reason").register(registry));
    }
  }

  /** The open client connections and their cap. */
  public void httpConnections(java.util.function.IntSupplier open, int max) {
    io.micrometer.core.instrument.Gauge.builder("imago_http_connections", open::getAsInt)
        .description("Client connections open").register(registry);
    io.micrometer.core.instrument.Gauge.builder("imago_http_connections_max", () -> max)
        .description("http.max_connections in force").register(registry);
  }

  public void connectionClosed(String reason) {
    Counter c = connectionsClosed.get(reason);
    if (c != null) {
      c.increment();
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The meters of one background worker. */
  public WorkerMeters worker(String name) {
    return new WorkerMeters(registry, name);
  }

  /** The meters of one store, whose operations are named {@code operations}. */
  public StoreMeters store(String storeId, java.util.List<String> operations) {
    return new StoreMeters(registry, storeId, operations);
  }

  /** The Prometheus text exposition of every meter. */
  /** A gauge set from outside (a worker's latest finding); registered once per name. */
  public java.util.concurrent.atomic.AtomicLong gauge(String name, String description) {
    java.util.concurrent.atomic.AtomicLong value = new java.util.concurrent.atomic.AtomicLong();
    io.micrometer.core.instrument.Gauge.builder(name, value, java.util.concurrent.atomic.AtomicLong::get)
        .description(description).register(registry);
    return value;
  }

  public String scrape() {
    return registry.scrape();
  }

  public void uploadBytes(long n) {
    uploadBytes.increment(n);
  }

  public void downloadBytes(long n) {
    downloadBytes.increment(n);
  }

  public void uploadStarted() {
    uploadsInProgress.incrementAndGet();
  }

  public void uploadEnded(boolean ok, long nanos) {
    uploadsInProgress.decrementAndGet();
    (ok ? uploadsCompleted : uploadsFailed).increment();
    if (ok) {
      uploadDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  public void downloadStarted() {
    downloadsInProgress.incrementAndGet();
  }

  public void downloadEnded() {
    downloadsInProgress.decrementAndGet();
  }
}
