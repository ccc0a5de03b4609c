package io.imago.testing;

import io.imago.db.Migrator;
import io.imago.db.embedded.EmbeddedPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL per test JVM (the same embedded launcher the service uses, fsync off), one
 * migrated template database, and a fresh database per test class copied from it. Set
 * {@code IMAGO_TEST_PG_URL} (a superuser URL, e.g. {@code postgresql://postgres:pw@host:5432/postgres})
 * to use an external server instead.
 */
public final class TestPostgres {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String TEMPLATE = "imago_template";
  private static volatile TestPostgres instance;

  private final String adminUrl;
  private final EmbeddedPostgres embedded;

  private TestPostgres(String adminUrl, EmbeddedPostgres embedded) {
    this.adminUrl = adminUrl;
    this.embedded = embedded;
  }

  public static synchronized TestPostgres get() {
    if (instance == null) {
      try {
        instance = start();
      } catch (Exception e) {
        throw new IllegalStateException("start test PostgreSQL", e);
      }
    }
    return instance;
  }

  private static TestPostgres start() throws Exception {
    String external = System.getenv("IMAGO_TEST_PG_URL");
    EmbeddedPostgres pg = null;
    String adminUrl;
    if (external != null && !external.isBlank()) {
      adminUrl = external;
    } else {
      Path dir = Path.of("target", "test-postgres").toAbsolutePath();
      Path data = dir.resolve("data-" + ProcessHandle.current().pid());
      pg = EmbeddedPostgres.start(dir, data, 0, false);
      EmbeddedPostgres started = pg;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        started.close();
        deleteQuietly(data);
      }));
      adminUrl = pg.url("postgres");
    }
    TestPostgres t = new TestPostgres(adminUrl, pg);
    t.createTemplate();
    return t;
  }

  private void createTemplate() {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection admin = PgConnection.connect(vertx, PgConnectOptions.fromUri(adminUrl)).await();
      admin.query("DROP DATABASE IF EXISTS " + TEMPLATE).execute().await();
      admin.query("CREATE DATABASE " + TEMPLATE).execute().await();
      admin.close().await();
      Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url(TEMPLATE))).using(vertx).build();
      Migrator.migrate(pool).await();
      pool.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** A new, migrated, empty database; returns its URL. */
  public String newDatabase() {
    String name = "c_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection admin = PgConnection.connect(vertx, PgConnectOptions.fromUri(adminUrl)).await();
      admin.query("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE).execute().await();
      admin.close().await();
    } finally {
      vertx.close().await();
    }
    return url(name);
  }

  /** The URL of {@code database} on this server. */
  public String url(String database) {
    int slash = adminUrl.lastIndexOf('/');
    int q = adminUrl.indexOf('?', slash);
    return adminUrl.substring(0, slash + 1) + database + (q < 0 ? "" : adminUrl.substring(q));
  }

  public boolean embedded() {
    return embedded != null;
  }

  private static void deleteQuietly(Path p) {
    try (var s = java.nio.file.Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (Exception ignored) {
      // best effort
    }
  }
}
