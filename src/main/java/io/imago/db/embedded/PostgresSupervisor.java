package io.imago.db.embedded;

import io.imago.worker.Job;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL running: a {@link Job} that looks at its postmaster every second
 * and starts it again when it died (killed, crashed, out of memory), waiting 1, 2, 4 … up to 30 s
 * between attempts that fail, so a server that cannot start (disk full, a corrupted cluster) is
 * not hammered. Requests answer 503 meanwhile; the pool reconnects once the server is back on the
 * same port. An external PostgreSQL is the operator's to supervise.
 */
public final class PostgresSupervisor implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSupervisor.class);
  /** How often the postmaster is looked at. */
  public static final Duration INTERVAL = Duration.ofSeconds(1);
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final EmbeddedPostgres postgres;
  private final Clock clock;
  private final AtomicLong restarts = new AtomicLong();
  private Duration backoff = FIRST_BACKOFF;
  private Instant nextAttempt = Instant.MIN;
  private Instant diedAt;

  public PostgresSupervisor(Vertx vertx, EmbeddedPostgres postgres, Clock clock) {
    this.vertx = vertx;
    this.postgres = postgres;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "postgres-supervisor";
  }

  /** How many times the server was started again since this node started. */
  public long restarts() {
    return restarts.get();
  }

  /** The postmaster's pid, or -1 while there is none. */
  public long pid() {
    return postgres.pid();
  }

  @Override
  public Future<Boolean> run() {
    // reading a pid file and /proc is quick, but it is file I/O: not on the event loop
    return vertx.executeBlocking(this::checkAndRestart, false);
  }

  /** One look; true when the server was found dead and started again. Runs on a worker thread, one at a time. */
  private boolean checkAndRestart() {
    if (postgres.alive()) {
      return false;
    }
    Instant now = clock.instant();
    if (diedAt == null) {
      diedAt = now;
      LOG.atError().setMessage("the embedded PostgreSQL is not running; restarting it").log();
    }
    if (now.isBefore(nextAttempt)) {
      return false;
    }
    try {
      postgres.restart();
      restarts.incrementAndGet();
      LOG.atWarn().setMessage("the embedded PostgreSQL was restarted")
          .addKeyValue("down_ms", Duration.between(diedAt, clock.instant()).toMillis())
          .addKeyValue("restarts", restarts.get()).log();
      diedAt = null;
      backoff = FIRST_BACKOFF;
      nextAttempt = Instant.MIN;
      return true;
    } catch (Exception e) {
      nextAttempt = clock.instant().plus(backoff);
      LOG.atError().setMessage("could not restart the embedded PostgreSQL; trying again")
          .addKeyValue("retry_in_ms", backoff.toMillis()).setCause(e).log();
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      return false;
    }
  }
}
