package io.imago.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.ConfigLoader;
import io.imago.config.QuotaConfig;
import io.imago.domain.QuotaResource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a project's limits are resolved from {@code quotas.limits}: its own entry, else the default. */
class ConfiguredLimitSourceTest {
  private static ConfiguredLimitSource source(Map<String, String> overrides) {
    QuotaConfig q = ConfigLoader.defaults(overrides).quotas();
    return new ConfiguredLimitSource(q);
  }

  @Test
  void withNothingConfiguredEveryResourceIsUnlimited() {
    assertThat(source(Map.of()).resolve("any")).isEmpty();
  }

  @Test
  void aProjectWithoutAnEntryGetsTheDefaults() {
    ConfiguredLimitSource s = source(Map.of("quotas.limits.default.image_count_total", "100",
        "quotas.limits.default.image_size_total", "2048",
        "quotas.limits.projects.p-big.image_count_total", "1000"));
    assertThat(s.resolve("p-other")).isEqualTo(Map.of(
        QuotaResource.IMAGE_COUNT_TOTAL, 100L, QuotaResource.IMAGE_SIZE_TOTAL, 2048L));
  }

  @Test
  void aProjectEntryReplacesTheDefaultResourceByResource() {
    ConfiguredLimitSource s = source(Map.of("quotas.limits.default.image_count_total", "100",
        "quotas.limits.default.image_size_total", "2048",
        "quotas.limits.projects.p-big.image_count_total", "1000",
        "quotas.limits.projects.p-big.image_count_uploading", "0"));
    assertThat(s.resolve("p-big")).isEqualTo(Map.of(
        QuotaResource.IMAGE_COUNT_TOTAL, 1000L,
        QuotaResource.IMAGE_SIZE_TOTAL, 2048L,
        QuotaResource.IMAGE_COUNT_UPLOADING, 0L));
  }

  @Test
  void minusOneInAProjectEntryLiftsADefaultLimit() {
    ConfiguredLimitSource s = source(Map.of("quotas.limits.default.image_count_total", "10",
        "quotas.limits.projects.p-free.image_count_total", "-1"));
    assertThat(s.resolve("p-free")).isEmpty();
    assertThat(s.resolve("p-other")).isEqualTo(Map.of(QuotaResource.IMAGE_COUNT_TOTAL, 10L));
  }

  @Test
  void limitsForAnswersAtOnce() {
    ConfiguredLimitSource s = source(Map.of("quotas.limits.default.image_stage_total", "5"));
    assertThat(s.limitsFor("p").result()).isEqualTo(Map.of(QuotaResource.IMAGE_STAGE_TOTAL, 5L));
    assertThat(s.limitsFor(null).result()).isEqualTo(Map.of(QuotaResource.IMAGE_STAGE_TOTAL, 5L));
  }
}
