package io.imago.app;

import io.imago.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
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
        .connectionHandler(ApiVerticle::paceSendfile)
        .requestHandler(routes.apply(vertx));
    return server.listen();
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
