package io.imago.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.config.ConfigLoader;
import io.imago.config.KeystoneConfig;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.imago.domain.QuotaResource;
import io.imago.keystone.KeystoneClient;
import io.imago.testing.TestKeystone;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link KeystoneLimitSource} against the real Keystone, where the test bootstrap registered
 * Glance's four limits for the image service (image_size_total 1000 MiB, image_stage_total 1000,
 * image_count_total 100, image_count_uploading 10) and overrode two for project imago-a
 * (image_size_total 50, image_count_total 5).
 */
class KeystoneLimitSourceIT {
  private static Vertx vertx;
  private static TestKeystone keystone;

  @BeforeAll
  static void start() {
    assumeTrue(TestKeystone.installed(), "Keystone is not installed (apt-get install keystone): skipping");
    keystone = TestKeystone.get();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static KeystoneLimitSource source(Map<String, String> extra) {
    Map<String, String> o = new HashMap<>(Map.of(
        "auth.strategy", "keystone",
        "auth.keystone_authtoken.auth_url", keystone.url(),
        "auth.keystone_authtoken.username", keystone.serviceUser(),
        "auth.keystone_authtoken.password", keystone.serviceUserPassword(),
        "auth.keystone_authtoken.project_name", "service",
        "auth.keystone_authtoken.http_request_timeout", "20s"));
    o.putAll(extra);
    KeystoneConfig config = ConfigLoader.defaults(o).auth().keystone();
    return new KeystoneLimitSource(new KeystoneClient(vertx, config, Clock.systemUTC()), config);
  }

  private static Map<QuotaResource, Long> limits(KeystoneLimitSource source, String project) throws Exception {
    return source.limitsFor(project).await(60, TimeUnit.SECONDS);
  }

  @Test
  void aProjectLimitOverridesTheRegisteredDefault() throws Exception {
    KeystoneLimitSource source = source(Map.of());
    assertThat(limits(source, keystone.projectId("imago-a"))).isEqualTo(Map.of(
        QuotaResource.IMAGE_SIZE_TOTAL, 50L,
        QuotaResource.IMAGE_COUNT_TOTAL, 5L,
        QuotaResource.IMAGE_STAGE_TOTAL, 1000L,
        QuotaResource.IMAGE_COUNT_UPLOADING, 10L));
  }

  @Test
  void aProjectWithoutLimitsOfItsOwnGetsTheRegisteredDefaults() throws Exception {
    Map<QuotaResource, Long> defaults = Map.of(
        QuotaResource.IMAGE_SIZE_TOTAL, 1000L,
        QuotaResource.IMAGE_COUNT_TOTAL, 100L,
        QuotaResource.IMAGE_STAGE_TOTAL, 1000L,
        QuotaResource.IMAGE_COUNT_UPLOADING, 10L);
    KeystoneLimitSource source = source(Map.of());
    assertThat(limits(source, keystone.projectId("imago-b"))).isEqualTo(defaults);
    assertThat(limits(source, "no-such-project")).isEqualTo(defaults);
  }

  @Test
  void theServiceCanBeNamedByItsEndpointId() throws Exception {
    KeystoneLimitSource source = source(Map.of("auth.oslo_limit.endpoint_id", keystone.info().getString(
        "image_endpoint_id")));
    assertThat(limits(source, keystone.projectId("imago-a"))).containsEntry(QuotaResource.IMAGE_SIZE_TOTAL, 50L);

    KeystoneLimitSource unknown = source(Map.of("auth.oslo_limit.endpoint_id", "not-an-endpoint"));
    assertThatThrownBy(() -> limits(unknown, keystone.projectId("imago-a")))
        .isInstanceOfSatisfying(ImagoException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
  }

  @Test
  void aProjectScopedServiceTokenSeesOnlyItsOwnProjectsLimits() throws Exception {
    // Keystone 22 filters GET /v3/limits to the token's project for project-scoped tokens: the
    // reason [oslo_limit] system_scope = all is the default
    KeystoneLimitSource source = source(Map.of("auth.oslo_limit.system_scope", "project"));
    assertThat(limits(source, keystone.projectId("imago-a"))).containsEntry(QuotaResource.IMAGE_SIZE_TOTAL, 1000L)
        .containsEntry(QuotaResource.IMAGE_COUNT_TOTAL, 100L);
  }
}
