package io.imago.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.KeystoneImago;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unified limits read from the real Keystone end to end ({@code quotas.use_keystone_limits}): the
 * test Keystone registers {@code image_count_total = 5} for project {@code imago-a} (100 by default)
 * and {@code image_size_total = 50} MiB (1000 by default).
 */
class KeystoneQuotaIT {
  @RegisterExtension
  static final KeystoneImago imago = new KeystoneImago()
      .with("auth.keystone_authtoken.http_request_timeout", "20s")
      .with("quotas.use_keystone_limits", "true");

  @Test
  void projectALimitsComeFromKeystoneAndTheSixthImageIsRefused() {
    Http a = imago.http(imago.keystone().token("a-member"));
    JsonObject usage = a.get("/v2/info/usage").expect(200).json().getJsonObject("usage");
    assertThat(usage.getJsonObject("image_count_total").getLong("limit")).isEqualTo(5);
    assertThat(usage.getJsonObject("image_count_total").getLong("usage")).isZero();
    assertThat(usage.getJsonObject("image_size_total").getLong("limit")).isEqualTo(50);

    for (int i = 0; i < 5; i++) {
      Fixtures.createImage(a);
    }
    Http.Resp refused = a.post("/v2/images", new JsonObject().put("name", "sixth"));
    Http.assertGlanceError(refused, 413);
    assertThat(refused.body()).contains("image_count_total");
    assertThat(a.get("/v2/images").expect(200).json().getJsonArray("images")).hasSize(5);
    assertThat(a.get("/v2/info/usage").expect(200).json().getJsonObject("usage")
        .getJsonObject("image_count_total").getLong("usage")).isEqualTo(5);
  }

  @Test
  void projectBGetsTheRegisteredDefault() {
    Http b = imago.http(imago.keystone().token("b-member"));
    JsonObject usage = b.get("/v2/info/usage").expect(200).json().getJsonObject("usage");
    assertThat(usage.getJsonObject("image_count_total").getLong("limit")).isEqualTo(100);
    Fixtures.createImage(b);
  }
}
