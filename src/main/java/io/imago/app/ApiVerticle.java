package io.imago.app;

import io.imago.api.Routes;
import io.imago.api.Services;
import io.imago.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** One event loop's HTTP server; App deploys one instance per configured event loop, sharing the port. */
final class ApiVerticle extends VerticleBase {
  private final Services services;
  private final int port;
  private HttpServer server;

  ApiVerticle(Services services, int port) {
    this.services = services;
    this.port = port;
  }

  static HttpServerOptions options(HttpConfig http, int port) {
    return new HttpServerOptions()
        .setHost(http.bind())
        .setPort(port)
        .setMaxChunkSize(http.maxChunkSize())
        .setCompressionSupported(false)
        .setHandle100ContinueAutomatically(false)
        .setHttp2ClearTextEnabled(true)
        .setTcpNoDelay(true)
        .setReuseAddress(true)
        .setIdleTimeout(0);
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(options(services.config().http(), port))
        .requestHandler(Routes.router(vertx, services));
    return server.listen();
  }

  int actualPort() {
    return server.actualPort();
  }

  /** Closes the listener and every connection at once (in-flight work has been drained by then). */
  Future<Void> close() {
    return server.close();
  }

  @Override
  public Future<?> stop() {
    return server.close();
  }
}
