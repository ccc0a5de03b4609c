package io.imago.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.ConfigLoader;
import io.imago.config.ImagoConfig;
import io.imago.testing.Blocking;
import io.imago.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, part 9: connections made while the port opens must all be answered. Vert.x 5.0 creates
 * a server's metrics in a task that can run after the first connections are accepted; those got no
 * socket metric and their first request died in vertx-micrometer with a NullPointerException,
 * unanswered (a readiness probe hung for minutes). Clients hammer the port from before the node
 * starts until after it serves, over several starts, and every connection accepted must get a
 * status line.
 */
class StartupRaceIT {
  private static final int STARTS = 4;
  private static final int HAMMERS = 3;

  @Test
  void everyConnectionMadeWhileThePortOpensIsAnswered() throws Exception {
    Blocking.install();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "imago-it-");
    ImagoConfig config = ConfigLoader.defaults(Map.of("http.port", Integer.toString(port), "data_dir",
        dataDir.toString(), "database.url", TestPostgres.get().newDatabase(), "node_id", "test-startup-race",
        "logging.access_log", "false"));
    int answeredTotal = 0;
    for (int round = 0; round < STARTS; round++) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();
      List<Thread> hammers = new ArrayList<>();
      for (int i = 0; i < HAMMERS; i++) {
        Thread t = new Thread(() -> hammer(port, stop, answered, unanswered), "hammer-" + i);
        t.start();
        hammers.add(t);
      }
      App app = App.start(config);
      try {
        Thread.sleep(300); // keep hammering the serving node a little
      } finally {
        stop.set(true);
        for (Thread t : hammers) {
          t.join(30_000);
        }
        app.close();
      }
      assertThat(unanswered).as("connections accepted but never answered in start %d", round).isEmpty();
      assertThat(answered.get()).as("answered connections in start %d", round).isPositive();
      answeredTotal += answered.get();
    }
    assertThat(answeredTotal).isGreaterThan(STARTS);
  }

  /**
   * The same race without the rest of the node, many times over: a Vert.x with Micrometer metrics
   * (as App builds it) opens an HTTP server with Imago's connection handler while clients hammer
   * the port, then closes it. Without {@link ApiVerticle#registerSocketMetric} some rounds leave
   * connections unanswered.
   */
  @Test
  void serversOpenedUnderFireAnswerEveryConnection() throws Exception {
    Blocking.install();
    var registry = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.builder()
        .with(new io.vertx.core.VertxOptions().setMetricsOptions(new io.vertx.micrometer.MicrometerMetricsOptions()
            .setEnabled(true).setRegistryName("startup-race-" + java.util.UUID.randomUUID())))
        .withMetrics(new io.vertx.micrometer.MicrometerMetricsFactory(registry))
        .withTransport(io.vertx.core.transport.Transport.EPOLL.available() ? io.vertx.core.transport.Transport.EPOLL
            : io.vertx.core.transport.Transport.NIO)
        .build();
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();
      // servers close under the clients here: only a connection left hanging is the start-up race
      AtomicBoolean closing = new AtomicBoolean(true);
      List<Thread> hammers = new ArrayList<>();
      for (int i = 0; i < HAMMERS; i++) {
        Thread t = new Thread(() -> hammer(port, stop, answered, unanswered, closing), "hammer-" + i);
        t.start();
        hammers.add(t);
      }
      try {
        for (int round = 0; round < 150; round++) {
          var server = vertx.createHttpServer(ApiVerticle.options(
                  ConfigLoader.defaults(Map.of()).http(), port))
              .connectionHandler(ApiVerticle::connected)
              .requestHandler(req -> req.response().end("ok"));
          server.listen().await();
          Thread.sleep(5);
          server.close().await();
        }
      } finally {
        stop.set(true);
        for (Thread t : hammers) {
          t.join(30_000);
        }
      }
      assertThat(unanswered).as("connections accepted but never answered").isEmpty();
      assertThat(answered.get()).isPositive();
    } finally {
      vertx.close().await();
    }
  }

  private static void hammer(int port, AtomicBoolean stop, AtomicInteger answered, ConcurrentLinkedQueue<String> bad) {
    hammer(port, stop, answered, bad, stop);
  }

  /** Connects again and again; each accepted connection sends one request and must read a status line. */
  private static void hammer(int port, AtomicBoolean stop, AtomicInteger answered, ConcurrentLinkedQueue<String> bad,
      AtomicBoolean closing) {
    byte[] request = "GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    while (!stop.get()) {
      try (Socket s = new Socket()) {
        try {
          s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        } catch (ConnectException refused) {
          Thread.onSpinWait();
          continue; // not listening yet
        }
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = s.getInputStream();
        byte[] line = new byte[12];
        int n = 0;
        while (n < line.length) {
          int r = in.read(line, n, line.length - n);
          if (r < 0) {
            break;
          }
          n += r;
        }
        String status = new String(line, 0, n, StandardCharsets.US_ASCII);
        if (status.startsWith("HTTP/1.1 ")) {
          answered.incrementAndGet();
        } else if (!closing.get()) { // a server closing under the client is not the start-up race
          bad.add("no status line, got '" + status + "'");
        }
      } catch (SocketTimeoutException e) {
        bad.add("no answer within 10 s");
      } catch (IOException e) {
        // reset while the node was stopping at the end of the round: not a start-up hang
        if (!closing.get()) {
          bad.add("connection failed: " + e);
        }
      }
    }
  }
}
