package io.imago.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.imago.keystone.TokenInfo;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Validated tokens, as keystonemiddleware's in-process token cache (spec/keystone.md §2, step 3):
 * an entry lives {@code min(token_cache_time, until the token's expires_at)}; an invalid token is
 * remembered for {@code token_cache_time} too, so that a client retrying a bad token does not make
 * Imago ask Keystone each time. Concurrent requests with the same new token share one
 * validation. Keys are SHA-256 digests: no token is kept in memory in clear.
 */
public final class TokenCache {
  /** The outcome of validating a token: {@code info} is null when Keystone refused it. */
  public record Validation(TokenInfo info) {
    static final Validation INVALID = new Validation(null);

    public boolean valid() {
      return info != null;
    }
  }

  private final AsyncCache<String, Validation> cache;

  public TokenCache(Duration cacheTime, int maxSize, Clock clock) {
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxSize)
        .expireAfter(new Expiry<String, Validation>() {
          @Override
          public long expireAfterCreate(String key, Validation v, long currentTime) {
            return lifetime(v, cacheTime, clock.instant()).toNanos();
          }

          @Override
          public long expireAfterUpdate(String key, Validation v, long currentTime, long currentDuration) {
            return lifetime(v, cacheTime, clock.instant()).toNanos();
          }

          @Override
          public long expireAfterRead(String key, Validation v, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .buildAsync();
  }

  /**
   * How long a validation may be reused: {@code token_cache_time}, but never past the token's
   * expiry (an expired token must be refused even when it was valid a moment ago). Zero for a
   * token already expired (validated with {@code allow_expired}): checked again each time.
   */
  static Duration lifetime(Validation v, Duration cacheTime, Instant now) {
    if (!v.valid()) {
      return cacheTime;
    }
    Duration left = Duration.between(now, v.info().expiresAt());
    if (left.isNegative()) {
      return Duration.ZERO;
    }
    return left.compareTo(cacheTime) < 0 ? left : cacheTime;
  }

  /**
   * The cached validation of {@code token} (in the variant {@code allowExpired}), or the result of
   * {@code validate}, started once however many requests ask at the same time. A failed
   * validation (Keystone unavailable) is not cached.
   */
  public Future<Validation> get(String token, boolean allowExpired, Supplier<Future<Validation>> validate) {
    String key = digest(token) + (allowExpired ? "+allow_expired" : "");
    java.util.function.BiFunction<String, java.util.concurrent.Executor, CompletableFuture<Validation>> load =
        (k, executor) -> validate.get().toCompletionStage().toCompletableFuture();
    CompletableFuture<Validation> f = cache.get(key, load);
    if (f.isCompletedExceptionally()) {
      // Caffeine drops a failed future in a completion callback that may not have run yet when the
      // caller that saw the failure sends its next request: never serve a stale failure
      cache.asMap().remove(key, f);
      f = cache.get(key, load);
    }
    return Future.fromCompletionStage(f);
  }

  /** Entries currently held (for tests and metrics). */
  public long size() {
    return cache.synchronous().estimatedSize();
  }

  private static String digest(String token) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
