package io.imago.db;

import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * What a database failure means for the request that met it. PostgreSQL refusing a value (a NUL
 * character in text, JSON it cannot store, a number out of range: SQLSTATE class 22) is the
 * client's input, so 400; a database that cannot be reached, was shut down or crashed is a 503 with
 * {@code Retry-After}. Neither message names the database: its address and its own error text are
 * for the log, not for clients (the cause is kept on the exception).
 */
public final class DatabaseErrors {
  /** How long a client is asked to wait after a 503 caused by the database. */
  public static final int RETRY_AFTER_SECONDS = 5;

  private DatabaseErrors() {}

  /** The client-facing failure for {@code e}, when {@code e} (or a cause) is a database failure we recognise. */
  public static Optional<ImagoException> translate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pe) {
        return fromSqlState(pe.getSqlState(), pe);
      }
      if (t instanceof ClosedConnectionException || t instanceof ConnectException
          || t instanceof ClosedChannelException || t instanceof TimeoutException
          || t instanceof io.netty.channel.ConnectTimeoutException) {
        return Optional.of(unavailable(e));
      }
    }
    return Optional.empty();
  }

  /** The 503 every request gets while the database is down. */
  public static ImagoException unavailable(Throwable cause) {
    return new ImagoException(ErrorKind.UNAVAILABLE, Map.of("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)),
        cause, "The image service's database is unavailable. Please try again later.");
  }

  private static Optional<ImagoException> fromSqlState(String state, PgException cause) {
    if (state == null || state.length() != 5) {
      return Optional.empty();
    }
    String cls = state.substring(0, 2);
    return switch (cls) {
      // data exception: 22021 a NUL or bad byte in text, 22P05 \u0000 in JSON, 22001 too long,
      // 22003 out of range, 22P02 malformed literal
      case "22" -> Optional.of(new ImagoException(ErrorKind.BAD_REQUEST, Map.of(), cause,
          "The request contains a value that cannot be stored: %s", dataProblem(state)));
      // program limit exceeded: a value too large for an index (54000)
      case "54" -> Optional.of(new ImagoException(ErrorKind.BAD_REQUEST, Map.of(), cause,
          "The request contains a value that is too large to be stored."));
      // connection exception, insufficient resources (too many connections, disk full),
      // operator intervention (shutdown, crash recovery), system error (I/O)
      case "08", "53", "57", "58" -> Optional.of(unavailable(cause));
      default -> Optional.empty();
    };
  }

  private static String dataProblem(String state) {
    return switch (state) {
      case "22021", "22P05" -> "text must not contain NUL (\\u0000) characters or invalid UTF-8.";
      case "22001" -> "a value is too long.";
      case "22003" -> "a number is out of range.";
      default -> "a value is malformed.";
    };
  }
}
