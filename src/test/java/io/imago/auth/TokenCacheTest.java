package io.imago.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.auth.TokenCache.Validation;
import io.imago.keystone.TokenInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The token cache's rules: entry lifetime, one validation per token, failures not kept. */
class TokenCacheTest {
  private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
  private static final Duration CACHE_TIME = Duration.ofSeconds(300);

  private static Validation valid(Instant expiresAt) {
    return new Validation(new TokenInfo("u", "user", "default", "p", "proj", "default", null, false, Set.of("member"),
        expiresAt));
  }

  @Test
  void aTokenLivingLongerThanTheCacheTimeIsKeptForTheCacheTime() {
    assertThat(TokenCache.lifetime(valid(NOW.plusSeconds(3600)), CACHE_TIME, NOW)).isEqualTo(CACHE_TIME);
  }

  @Test
  void aTokenExpiringSoonerIsKeptOnlyUntilItExpires() {
    assertThat(TokenCache.lifetime(valid(NOW.plusSeconds(42)), CACHE_TIME, NOW)).isEqualTo(Duration.ofSeconds(42));
    assertThat(TokenCache.lifetime(valid(NOW.plusMillis(1500)), CACHE_TIME, NOW)).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void anExpiredTokenAcceptedWithAllowExpiredIsNotKept() {
    assertThat(TokenCache.lifetime(valid(NOW.minusSeconds(10)), CACHE_TIME, NOW)).isEqualTo(Duration.ZERO);
    assertThat(TokenCache.lifetime(valid(NOW), CACHE_TIME, NOW)).isEqualTo(Duration.ZERO);
  }

  @Test
  void anInvalidTokenIsRememberedForTheCacheTime() {
    assertThat(TokenCache.lifetime(Validation.INVALID, CACHE_TIME, NOW)).isEqualTo(CACHE_TIME);
  }

  @Test
  void concurrentRequestsForOneTokenShareOneValidation() throws Exception {
    TokenCache cache = new TokenCache(CACHE_TIME, 100, Clock.fixed(NOW, ZoneOffset.UTC));
    AtomicInteger calls = new AtomicInteger();
    Promise<Validation> pending = Promise.promise();
    Future<Validation> first = cache.get("tok", false, () -> {
      calls.incrementAndGet();
      return pending.future();
    });
    Future<Validation> second = cache.get("tok", false, () -> {
      calls.incrementAndGet();
      return Future.succeededFuture(Validation.INVALID);
    });
    pending.complete(valid(NOW.plusSeconds(3600)));
    assertThat(first.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).valid()).isTrue();
    assertThat(second.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).valid()).isTrue();
    assertThat(calls).hasValue(1);
    // and later requests are answered from the cache
    cache.get("tok", false, () -> {
      calls.incrementAndGet();
      return Future.succeededFuture(Validation.INVALID);
    }).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(calls).hasValue(1);
  }

  @Test
  void allowExpiredIsAVariantOfItsOwn() throws Exception {
    TokenCache cache = new TokenCache(CACHE_TIME, 100, Clock.fixed(NOW, ZoneOffset.UTC));
    cache.get("tok", false, () -> Future.succeededFuture(Validation.INVALID)).toCompletionStage()
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    Validation withService = cache.get("tok", true, () -> Future.succeededFuture(valid(NOW.plusSeconds(60))))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(withService.valid()).isTrue();
  }

  @Test
  void aFailedValidationIsNotCached() throws Exception {
    TokenCache cache = new TokenCache(CACHE_TIME, 100, Clock.fixed(NOW, ZoneOffset.UTC));
    Future<Validation> failed = cache.get("tok", false, () -> Future.failedFuture(new IllegalStateException("down")));
    assertThat(failed.toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(5, TimeUnit.SECONDS))
        .isNotNull();
    Validation retried = cache.get("tok", false, () -> Future.succeededFuture(valid(NOW.plusSeconds(60))))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(retried.valid()).isTrue();
  }

  @Test
  void aRequestRightAfterAFailureStartsAFreshValidation() throws Exception {
    // The caller hears of a failure before the cache has dropped it (completion callbacks run
    // newest first); a retry at that moment must not be served the stale failure.
    TokenCache cache = new TokenCache(CACHE_TIME, 100, Clock.fixed(NOW, ZoneOffset.UTC));
    io.vertx.core.Promise<Validation> keystone = io.vertx.core.Promise.promise();
    Future<Validation> first = cache.get("tok", false, keystone::future);
    java.util.concurrent.CompletableFuture<Validation> retry = new java.util.concurrent.CompletableFuture<>();
    first.onFailure(e -> cache.get("tok", false, () -> Future.succeededFuture(valid(NOW.plusSeconds(60))))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            retry.complete(ar.result());
          } else {
            retry.completeExceptionally(ar.cause());
          }
        }));
    keystone.fail(new IllegalStateException("down"));
    assertThat(retry.get(5, TimeUnit.SECONDS).valid()).isTrue();
  }
}
