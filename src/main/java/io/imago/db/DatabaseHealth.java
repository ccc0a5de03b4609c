package io.imago.db;

import io.imago.worker.Job;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers, as {@code /healthcheck} reports it: a {@link Job} that sends
 * {@code SELECT 1} every few seconds and waits at most {@link #PROBE_TIMEOUT} for the answer. A
 * load balancer that sees 503 while the database is down stops sending traffic to a node that
 * could only answer 503 anyway. Works the same for the embedded and an external PostgreSQL.
 */
public final class DatabaseHealth implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);
  /** How often the database is probed. */
  public static final Duration INTERVAL = Duration.ofSeconds(2);
  /** A probe not answered within this counts as down (a hung server looks like a dead one). */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  /** What the last probe found; {@code error} is for admins and logs only (it may name hosts). */
  public record State(boolean up, Instant since, long latencyMicros, String error) {}

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private volatile State state;

  public DatabaseHealth(Vertx vertx, Pool pool, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    // the node starts only after its migrations ran: the database answered a moment ago
    this.state = new State(true, clock.instant(), 0, null);
  }

  public boolean up() {
    return state.up();
  }

  public State state() {
    return state;
  }

  @Override
  public String name() {
    return "database-health";
  }

  @Override
  public Future<State> run() {
    long t0 = System.nanoTime();
    Promise<State> done = Promise.promise();
    long timer = vertx.setTimer(PROBE_TIMEOUT.toMillis(), t -> done.tryComplete(record(false, 0,
        "no answer to a probe within " + PROBE_TIMEOUT.toSeconds() + " s")));
    pool.query("SELECT 1").execute().onComplete(ar -> {
      vertx.cancelTimer(timer);
      long micros = (System.nanoTime() - t0) / 1_000;
      done.tryComplete(ar.succeeded() ? record(true, micros, null) : record(false, micros, String.valueOf(ar.cause())));
    });
    return done.future();
  }

  private State record(boolean up, long micros, String error) {
    State before = state;
    State now = new State(up, before.up() == up ? before.since() : clock.instant(), micros, error);
    state = now;
    if (before.up() && !up) {
      LOG.atError().setMessage("the database does not answer: requests get 503 and /healthcheck reports it")
          .addKeyValue("error", error).log();
    } else if (!before.up() && up) {
      LOG.atInfo().setMessage("the database answers again")
          .addKeyValue("down_ms", Duration.between(before.since(), now.since()).toMillis()).log();
    }
    return now;
  }
}
