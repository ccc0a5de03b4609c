package io.imago.db;

import io.imago.config.DatabaseConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Creates the connection pool every repository shares. */
public final class Database {
  private Database() {}

  public static Pool pool(Vertx vertx, String url, DatabaseConfig config) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(16)
        .setReconnectAttempts(3)
        .setReconnectInterval(500);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(config.poolSize())
        .setMaxWaitQueueSize(10_000)
        .setConnectionTimeout(30)
        .setShared(false)
        .setName("imago");
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
