package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Pure helpers of the HTTP edge: URL decoding checks and the healthcheck's content negotiation. */
class HttpEdgeTest {
  @Test
  void percentEscapesMustDecodeToUtf8() {
    assertThat(Routes.percentDecodesToUtf8(null)).isTrue();
    assertThat(Routes.percentDecodesToUtf8("/v2/images/abc")).isTrue();
    assertThat(Routes.percentDecodesToUtf8("/v2/images/a%20b")).isTrue();
    assertThat(Routes.percentDecodesToUtf8("name=%C3%A9t%C3%A9")).isTrue(); // "été"
    assertThat(Routes.percentDecodesToUtf8("x=%F0%9F%98%80")).isTrue(); // 4-byte UTF-8
    assertThat(Routes.percentDecodesToUtf8("/v2/images/%00")).isTrue();
    // malformed escapes are taken literally, not as bytes
    assertThat(Routes.percentDecodesToUtf8("/a%G1b%")).isTrue();
    assertThat(Routes.percentDecodesToUtf8("/a%F")).isTrue();

    assertThat(Routes.percentDecodesToUtf8("/v2/images/%FF")).isFalse();
    assertThat(Routes.percentDecodesToUtf8("/v2/images/%C3%28")).isFalse(); // bad continuation
    assertThat(Routes.percentDecodesToUtf8("/v2/images/%C3")).isFalse(); // truncated
    assertThat(Routes.percentDecodesToUtf8("name=%ED%A0%80")).isFalse(); // a UTF-16 surrogate
    assertThat(Routes.percentDecodesToUtf8("x=%C0%AF")).isFalse(); // overlong
  }

  @Test
  void healthcheckNegotiatesLikeOsloMiddleware() {
    assertThat(HealthHandler.negotiate(null)).isEqualTo("text/plain");
    assertThat(HealthHandler.negotiate("")).isEqualTo("text/plain");
    assertThat(HealthHandler.negotiate("*/*")).isEqualTo("text/plain");
    assertThat(HealthHandler.negotiate("image/png")).isEqualTo("text/plain");
    assertThat(HealthHandler.negotiate("application/json")).isEqualTo("application/json");
    assertThat(HealthHandler.negotiate("text/html")).isEqualTo("text/html");
    // ties go to the earlier offer: text/plain, then text/html, then application/json
    assertThat(HealthHandler.negotiate("application/json, */*")).isEqualTo("text/plain");
    assertThat(HealthHandler.negotiate("application/json, text/html")).isEqualTo("text/html");
    assertThat(HealthHandler.negotiate("text/*")).isEqualTo("text/plain");
    // quality decides; the most specific range sets an offer's quality
    assertThat(HealthHandler.negotiate("*/*;q=0.1, application/json")).isEqualTo("application/json");
    assertThat(HealthHandler.negotiate("text/plain;q=0, */*")).isEqualTo("text/html");
    assertThat(HealthHandler.negotiate("text/html;q=0.5, application/json;q=0.9")).isEqualTo("application/json");
  }
}
