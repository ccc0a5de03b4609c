package io.imago.app;

import io.imago.api.Connections;
import io.imago.api.Routes;
import io.imago.config.ImagoConfig;
import io.imago.config.QuotaConfig;
import io.imago.db.Database;
import io.imago.db.ImageRepository;
import io.imago.db.MemberRepository;
import io.imago.db.Migrator;
import io.imago.db.embedded.EmbeddedPostgres;
import io.imago.metrics.Metrics;
import io.imago.policy.Policy;
import io.imago.policy.PropertyProtections;
import io.imago.policy.RulePolicy;
import io.imago.store.InstrumentedStore;
import io.imago.store.StoreRegistry;
import io.imago.worker.JobWorker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: starts the database (embedded or external), migrates it, has
 * {@link Components} wire every component by hand, recovers what a crash left behind, deploys the
 * background workers and then the HTTP verticles. Main and the tests start the service through
 * {@link #start} alike.
 */
public final class App implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);
  private static final String EMBEDDED_DATABASE = "imago";

  private final ImagoConfig config;
  private final DataDirLock lock;
  private final Vertx vertx;
  private final EmbeddedPostgres postgres;
  private final Pool pool;
  private final Components components;
  private final List<String> workerDeployments;
  private final List<ApiVerticle> verticles;
  private final int port;
  private final Connections connections;
  private boolean closed;

  private App(ImagoConfig config, DataDirLock lock, Vertx vertx, EmbeddedPostgres postgres, Pool pool,
      Components components, List<String> workerDeployments, List<ApiVerticle> verticles, int port,
      Connections connections) {
    this.config = config;
    this.lock = lock;
    this.vertx = vertx;
    this.postgres = postgres;
    this.pool = pool;
    this.components = components;
    this.workerDeployments = workerDeployments;
    this.verticles = verticles;
    this.port = port;
    this.connections = connections;
  }

  /** Starts a node and returns once it serves requests. Blocking: call from a plain thread. */
  public static App start(ImagoConfig config) throws Exception {
    long t0 = System.nanoTime();
    // Policy, property protections and quota sources first: a bad one stops the start before anything runs.
    Policy policy = RulePolicy.load(config.policy());
    PropertyProtections protections = PropertyProtections.load(config.policy(), policy);
    checkLimitSource(config);
    Files.createDirectories(config.dataDir());
    DataDirLock lock = DataDirLock.acquire(config.dataDir());
    EmbeddedPostgres postgres = null;
    Vertx vertx = null;
    try {
      String url = config.database().url();
      if (url == null) {
        postgres = EmbeddedPostgres.start(config.dataDir(), config.database().embeddedDir(),
            config.database().embeddedPort(), config.database().embeddedFsync());
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Metrics metrics = new Metrics(registry);
      Connections connections = connections(config, metrics);
      Transport transport = Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
      vertx = Vertx.builder()
          .with(new VertxOptions()
              .setPreferNativeTransport(true)
              .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
                  // Vert.x keeps backends by name JVM-wide: a second node in one JVM (tests) must not
                  // report into the first one's registry
                  .setRegistryName("imago-" + java.util.UUID.randomUUID())
                  // the database pools' sockets: per-connection gauges that collide between pools
                  .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)))
          .withMetrics(new MicrometerMetricsFactory(registry))
          .withTransport(Connections.transport(transport, connections))
          .build();
      connections.start(vertx);
      if (postgres != null) {
        url = ensureDatabase(vertx, postgres);
      }
      Pool pool = Database.pool(vertx, url, config.database());
      int applied = Migrator.migrate(pool).await();
      LOG.atInfo().setMessage("database ready").addKeyValue("embedded", postgres != null)
          .addKeyValue("migrations_applied", applied).log();

      Components c = Components.wire(config, vertx, pool, postgres, metrics, Clock.systemUTC(), policy, protections);
      recover(config, c);
      if (config.metadefs().loadDir() != null) {
        MetadefCatalog.loadAtFirstStart(config.metadefs().loadDir(), c.metadefs);
      }
      List<String> workers = new ArrayList<>();
      for (JobWorker w : c.workers) {
        workers.add(vertx.deployVerticle(w).await());
      }

      int instances = config.http().eventLoops() == 0
          ? Runtime.getRuntime().availableProcessors() : config.http().eventLoops();
      List<ApiVerticle> verticles = new ArrayList<>();
      // Port 0 asks for any free port; Vert.x shares one random port among servers that ask for
      // the same negative port, which is how every event loop ends up on the same socket.
      int listenPort = config.http().port() == 0 ? -1 : config.http().port();
      for (int i = 0; i < instances; i++) {
        ApiVerticle v = new ApiVerticle(config.http(), listenPort, loop -> Routes.router(loop, c.handlers,
            c.authenticator, c.lifecycle, config.http(), config.logging().accessLog(), metrics::scrape));
        vertx.deployVerticle(v, new DeploymentOptions()).await();
        verticles.add(v);
      }
      int port = verticles.get(0).actualPort();
      LOG.atInfo().setMessage("Imago is serving the Image API v2")
          .addKeyValue("url", "http://" + config.http().bind() + ":" + port)
          .addKeyValue("event_loops", instances).addKeyValue("data_dir", config.dataDir())
          .addKeyValue("transport", transport.name())
          .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log();
      if (!config.auth().keystoneStrategy()) {
        warnNoauth(config.http().bind());
      }
      return new App(config, lock, vertx, postgres, pool, c, workers, verticles, port, connections);
    } catch (Exception | Error e) {
      if (vertx != null) {
        try {
          vertx.close().await();
        } catch (Exception ignored) {
          // already failing
        }
      }
      if (postgres != null) {
        postgres.close();
      }
      lock.close();
      throw e;
    }
  }

  /**
   * The connection cap and timeouts. The JVM raised the soft descriptor limit to the hard one at
   * start (-XX:+MaxFDLimit, the default on Linux); {@code http.max_connections: 0} sizes the cap
   * below it, with room for files and the database pool, and the limit is logged either way.
   */
  private static Connections connections(ImagoConfig config, Metrics metrics) {
    long limit = Connections.descriptorLimit();
    int configured = config.http().maxConnections();
    int max = configured > 0 ? configured : Connections.defaultMaxConnections(limit, config.database().poolSize());
    var event = LOG.atInfo().setMessage("connection limits").addKeyValue("descriptor_limit", limit)
        .addKeyValue("max_connections", max).addKeyValue("header_timeout", config.http().headerTimeout())
        .addKeyValue("idle_timeout", config.http().idleTimeout()).addKeyValue("body_timeout", config.http().bodyTimeout());
    if (limit > 0 && 2L * max + config.database().poolSize() + 256 > limit) {
      LOG.atWarn().setMessage("http.max_connections leaves little room below the descriptor limit: at the cap, "
          + "downloads and uploads may fail to open their files (raise the limit: LimitNOFILE in systemd, ulimit -n)")
          .addKeyValue("descriptor_limit", limit).addKeyValue("max_connections", max).log();
    }
    event.log();
    return new Connections(config.http(), max, metrics);
  }

  /** Puts back what this node left behind when it last stopped uncleanly, before it serves. */
  private static void recover(ImagoConfig config, Components c) {
    int reset = c.images.resetAbandonedUploads(config.nodeId()).await();
    int partials = 0;
    for (InstrumentedStore store : c.stores.all()) {
      partials += store.cleanIncomplete().await();
    }
    if (reset > 0 || partials > 0) {
      LOG.atWarn().setMessage("recovered interrupted uploads").addKeyValue("images_requeued", reset)
          .addKeyValue("partial_files_removed", partials).log();
    }
  }

  /**
   * Refuses quota settings that cannot work, before anything starts: Keystone limits need the
   * Keystone service user's credentials (the same {@code auth.keystone_authtoken} options the
   * keystone strategy uses, even when tokens are not validated).
   */
  static void checkLimitSource(ImagoConfig config) {
    QuotaConfig quotas = config.quotas();
    if (quotas.useKeystoneLimits()) {
      config.auth().keystone().requireComplete("quotas.use_keystone_limits: true");
    }
    if ((quotas.limitsEnabled() || quotas.useKeystoneLimits()) && quotas.userStorageQuota() > 0) {
      LOG.atWarn().setMessage("quotas.user_storage_quota is ignored while unified limits are on, as Glance ignores it"
          + " with use_keystone_limits").log();
    }
  }

  /**
   * noauth trusts whatever identity headers a request carries (spec/keystone.md §4: a test mode that
   * must not go unnoticed in production); reachable beyond this host, anyone can act as an admin.
   */
  private static void warnNoauth(String bind) {
    boolean loopback;
    try {
      loopback = java.net.InetAddress.getByName(bind).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      loopback = false;
    }
    if (loopback) {
      LOG.atWarn().setMessage("auth.strategy is noauth: callers are trusted as their identity headers say;"
          + " use auth.strategy: keystone before serving beyond this host").log();
    } else {
      LOG.atError().setMessage("auth.strategy is noauth and Imago listens beyond loopback: ANYONE WHO CAN REACH"
          + " THIS PORT CAN ACT AS ANY USER, INCLUDING AN ADMIN. Use auth.strategy: keystone, or bind to 127.0.0.1")
          .addKeyValue("bind", bind).log();
    }
  }

  private static String threadDump() {
    StringBuilder b = new StringBuilder();
    Thread.getAllStackTraces().forEach((t, stack) -> {
      b.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
      for (StackTraceElement e : stack) {
        b.append("    at ").append(e).append('\n');
      }
    });
    return b.toString();
  }

  /** Creates the embedded cluster's database on first start; returns its URL. */
  private static String ensureDatabase(Vertx vertx, EmbeddedPostgres pg) {
    var admin = PgConnection.connect(vertx, PgConnectOptions.fromUri(pg.url("postgres"))).await();
    try {
      boolean exists = admin.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1")
          .execute(io.vertx.sqlclient.Tuple.of(EMBEDDED_DATABASE)).await().size() > 0;
      if (!exists) {
        admin.query("CREATE DATABASE " + EMBEDDED_DATABASE).execute().await();
      }
    } finally {
      admin.close().await();
    }
    return pg.url(EMBEDDED_DATABASE);
  }

  public int port() {
    return port;
  }

  /** The client connections: how many are open, the cap in force. */
  public Connections connections() {
    return connections;
  }

  public ImagoConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The node's image repository (tests set up and inspect state with it). */
  public ImageRepository images() {
    return components.images;
  }

  public MemberRepository members() {
    return components.members;
  }

  /** Requests, downloads and uploads in flight (graceful shutdown). */
  public Lifecycle lifecycle() {
    return components.lifecycle;
  }

  /** The metadata definitions catalog (for {@code imago metadefs}). */
  public io.imago.db.MetadefRepository metadefs() {
    return components.metadefs;
  }

  /** The node's stores, by id. */
  /** The node cache, or null when it is off. */
  public io.imago.cache.NodeCache cache() {
    return components.cache;
  }

  public StoreRegistry stores() {
    return components.stores;
  }

  /**
   * Graceful stop: uploads in flight are cancelled (their images go back to queued, partial data
   * deleted), downloads in flight may finish within {@code http.shutdown_timeout}, then everything
   * closes. Blocking.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long timeout = config.http().shutdownTimeout().toMillis();
    try {
      // New requests now get 503 and uploads are cancelled; everything else in flight may finish.
      components.lifecycle.drain().await(timeout, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.atWarn().setMessage("requests still in flight after the shutdown timeout; closing their connections")
          .addKeyValue("in_flight", components.lifecycle.inFlightRequests()).addKeyValue("timeout_ms", timeout).log();
    } catch (Exception e) {
      LOG.atWarn().setMessage("graceful shutdown incomplete").setCause(e).log();
    }
    List<Future<?>> closing = new ArrayList<>();
    for (ApiVerticle v : verticles) {
      closing.add(v.close());
    }
    try {
      Future.join(closing).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.atWarn().setMessage("closing the HTTP servers").setCause(e).log();
    }
    for (String worker : workerDeployments) {
      try {
        // a worker finishes its pass in progress (bounded by its stop timeout) while the database is open
        vertx.undeploy(worker).await(Components.WORKER_STOP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.atWarn().setMessage("stopping a background worker").setCause(e).log();
      }
    }
    try {
      components.pools.close();
      try {
        // Seen to never complete when a pooled connection was being (re)established at close
        // time; the sockets go with vertx.close() anyway, and PostgreSQL rolls back what is open.
        pool.close().await(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        LOG.atWarn().setMessage("database pool did not close in time; closing its sockets").log();
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      LOG.atWarn().setMessage("Vert.x did not close within 30 s; threads follow").log();
      LOG.warn(threadDump());
    } catch (Exception e) {
      LOG.atWarn().setMessage("close").setCause(e).log();
    } finally {
      if (postgres != null) {
        postgres.close();
      }
      lock.close();
    }
    LOG.atInfo().setMessage("Imago stopped").log();
  }
}
