package io.imago.app;

import io.imago.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.imago.api.ConnectionGuard;
import io.vertx.ext.web.Router;
import java.util.function.Function;

/** One event loop's HTTP server; App deploys one instance per configured event loop, sharing the port. */
final class ApiVerticle extends VerticleBase {
  private final HttpConfig http;
  private final int port;
  private final Function<Vertx, Router> routes;
  private HttpServer server;

  /** @param routes builds this event loop's router (one per verticle, sharing the handlers) */
  ApiVerticle(HttpConfig http, int port, Function<Vertx, Router> routes) {
    this.http = http;
    this.port = port;
    this.routes = routes;
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
    server = vertx.createHttpServer(options(http, port))
        .connectionHandler(ApiVerticle::connected)
        .requestHandler(routes.apply(vertx));
    return server.listen();
  }

  /** Every HTTP connection, once Vert.x has chosen its protocol and before its first request. */
  static void connected(HttpConnection connection) {
    registerSocketMetric(connection);
    ConnectionGuard.attach(connection);
    paceSendfile(connection);
  }

  /**
   * The start-up race (issue 10, part 9): Vert.x 5.0 binds the port first and creates the server's
   * metrics in the bind's completion ({@code NetServerImpl.bind}); a connection accepted in between
   * gets no socket metric, yet its HTTP connection, set up on its first bytes, finds the metrics
   * and hands that null socket metric to vertx-micrometer's {@code requestBegin}, which throws:
   * the request is never answered. Such a connection is registered now, as Vert.x would have
   * done at accept; from here on it is like every other. (A connection that found no metrics at
   * all is simply not measured.)
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static void registerSocketMetric(HttpConnection connection) {
    if (connection instanceof ConnectionBase c && c.metric() == null && c.metrics() instanceof TCPMetrics m) {
      c.metric(m.connected(c.remoteAddress(), c.remoteName()));
    }
  }

  /**
   * Every connection gets a {@link SendfilePacer}: a download sends one file region per event-loop
   * turn, so a request arriving on a loop that streams other downloads is read and answered in the
   * next turn instead of after all of them have filled their sockets. (Vert.x has no public way to
   * reach the Netty channel; {@code ConnectionBase} is its connection implementation.)
   */
  static void paceSendfile(HttpConnection connection) {
    if (connection instanceof ConnectionBase c) {
      c.channel().pipeline().addFirst(SendfilePacer.NAME, new SendfilePacer());
    }
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
