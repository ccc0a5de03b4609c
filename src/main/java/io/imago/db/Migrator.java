package io.imago.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code db/migration/V<n>__<name>.sql} from the classpath in order, each in its own
 * transaction, under an advisory lock so that nodes starting together migrate once. A migration
 * that was applied and then edited fails the start: history is never rewritten.
 */
public final class Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  private static final long LOCK_ID = 0x1_6A60_0001L;
  private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

  /** The migrations shipped in this build; a test checks the list matches the directory. */
  static final List<String> MIGRATIONS = List.of("V1__images.sql", "V2__metadefs.sql");

  private Migrator() {}

  public static Future<Integer> migrate(Pool pool) {
    List<Migration> all;
    try {
      all = load();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return pool.withConnection(conn -> conn.query("SET client_min_messages TO warning").execute()
        .compose(v -> conn.query("SELECT pg_advisory_lock(" + LOCK_ID + ")").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_version (version int PRIMARY KEY, name text NOT NULL,"
            + " sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.query("SELECT version, sha256 FROM schema_version").execute())
        .compose(rows -> {
          Map<Integer, String> applied = new java.util.HashMap<>();
          rows.forEach(r -> applied.put(r.getInteger("version"), r.getString("sha256")));
          Future<Integer> chain = Future.succeededFuture(0);
          for (Migration m : all) {
            String sha = applied.get(m.version);
            if (sha != null) {
              if (!sha.equals(m.sha256)) {
                return Future.failedFuture(new IllegalStateException("migration " + m.file
                    + " was changed after it was applied (sha256 " + sha + " in the database, " + m.sha256 + " now)"));
              }
              continue;
            }
            chain = chain.compose(n -> apply(conn, m).map(v -> n + 1));
          }
          return chain;
        })
        .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_ID + ")").execute()));
  }

  private static Future<Void> apply(SqlConnection conn, Migration m) {
    long t0 = System.nanoTime();
    return conn.begin().compose(tx -> conn.query(m.sql).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_version (version, name, sha256) VALUES ($1, $2, $3)")
            .execute(Tuple.of(m.version, m.name, m.sha256)))
        .compose(v -> tx.commit())
        .onFailure(e -> tx.rollback())
        .onSuccess(v -> LOG.atInfo().setMessage("applied migration").addKeyValue("migration", m.file)
            .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log()));
  }

  private static List<Migration> load() throws IOException {
    List<Migration> out = new ArrayList<>();
    for (String file : MIGRATIONS) {
      Matcher mm = NAME.matcher(file);
      if (!mm.matches()) {
        throw new IOException("bad migration name: " + file);
      }
      try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream("db/migration/" + file)) {
        if (in == null) {
          throw new IOException("migration not on the classpath: " + file);
        }
        byte[] bytes = in.readAllBytes();
        out.add(new Migration(Integer.parseInt(mm.group(1)), mm.group(2), file,
            new String(bytes, StandardCharsets.UTF_8), sha256(bytes)));
      }
    }
    return out;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Migration(int version, String name, String file, String sql, String sha256) {}
}
