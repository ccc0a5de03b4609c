package io.imago.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.domain.QuotaResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code quotas.*}: Glance's user_storage_quota syntax, the unified-limit switches and sections. */
class QuotaConfigTest {
  @TempDir
  Path tmp;

  private static QuotaConfig quotas(String... pathValuePairs) {
    Map<String, String> o = new java.util.HashMap<>();
    for (int i = 0; i < pathValuePairs.length; i += 2) {
      o.put(pathValuePairs[i], pathValuePairs[i + 1]);
    }
    return ConfigLoader.defaults(o).quotas();
  }

  private QuotaConfig fromFile(String yaml) throws Exception {
    Path f = Files.writeString(tmp.resolve("q-" + System.nanoTime() + ".yaml"), yaml, StandardCharsets.UTF_8);
    return ConfigLoader.load(f, Map.of(), Map.of()).quotas();
  }

  @Test
  void theDefaultIsNoQuotaAtAll() {
    QuotaConfig q = quotas();
    assertThat(q.userStorageQuota()).isZero();
    assertThat(q.legacyStorageQuota()).isFalse();
    assertThat(q.unifiedLimits()).isFalse();
    assertThat(q.defaults()).containsOnlyKeys(QuotaResource.values()).allSatisfy((r, v) -> assertThat(v).isEqualTo(-1));
    assertThat(q.projects()).isEmpty();
  }

  /** Glance's {@code <int>[B|KB|MB|GB|TB]}, every unit a power of 1024 (spec images-api.md §6). */
  @ParameterizedTest
  @CsvSource({
      "0, 0",
      "1, 1",
      "512, 512",
      "5B, 5",
      "10KB, 10240",
      "3MB, 3145728",
      "1GB, 1073741824",
      "2TB, 2199023255552",
      "1GiB, 1073741824"})
  void userStorageQuotaTakesGlanceSizes(String value, long bytes) {
    QuotaConfig q = quotas("quotas.user_storage_quota", value);
    assertThat(q.userStorageQuota()).isEqualTo(bytes);
    assertThat(q.legacyStorageQuota()).isEqualTo(bytes > 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "1.5GB", "10XB", "ten", "GB", "1 G B"})
  void aBadUserStorageQuotaStopsTheStart(String value) {
    assertThatThrownBy(() -> quotas("quotas.user_storage_quota", value))
        .isInstanceOf(ConfigException.class).hasMessageContaining("quotas.user_storage_quota");
  }

  @Test
  void unifiedLimitsSilenceTheLegacyQuotaAsInGlance() {
    assertThat(quotas("quotas.user_storage_quota", "1GB", "quotas.limits.enabled", "true").legacyStorageQuota())
        .isFalse();
    assertThat(quotas("quotas.user_storage_quota", "1GB", "quotas.use_keystone_limits", "true").legacyStorageQuota())
        .isFalse();
  }

  @Test
  void defaultsAndPerProjectLimitsFromTheFile() throws Exception {
    QuotaConfig q = fromFile("""
        quotas:
          limits:
            enabled: true
            default: {image_count_total: 100, image_size_total: 2048}
            projects:
              p-big: {image_count_total: 1000}
              p-none: {image_size_total: 0, image_count_uploading: 2}
        """);
    assertThat(q.unifiedLimits()).isTrue();
    assertThat(q.defaults()).containsEntry(QuotaResource.IMAGE_COUNT_TOTAL, 100L)
        .containsEntry(QuotaResource.IMAGE_SIZE_TOTAL, 2048L).containsEntry(QuotaResource.IMAGE_STAGE_TOTAL, -1L);
    assertThat(q.projects()).containsOnlyKeys("p-big", "p-none");
    assertThat(q.projects().get("p-big")).isEqualTo(Map.of(QuotaResource.IMAGE_COUNT_TOTAL, 1000L));
    assertThat(q.projects().get("p-none")).isEqualTo(
        Map.of(QuotaResource.IMAGE_SIZE_TOTAL, 0L, QuotaResource.IMAGE_COUNT_UPLOADING, 2L));
  }

  @Test
  void perProjectLimitsFromOverrides() {
    QuotaConfig q = quotas("quotas.limits.projects.p1.image_count_total", "3",
        "quotas.limits.projects.p2.image_size_total", "10");
    assertThat(q.projects()).isEqualTo(Map.of(
        "p1", Map.of(QuotaResource.IMAGE_COUNT_TOTAL, 3L),
        "p2", Map.of(QuotaResource.IMAGE_SIZE_TOTAL, 10L)));
  }

  @Test
  void aMisspeltResourceIsRefusedWhereverItIs() throws Exception {
    assertThatThrownBy(() -> fromFile("quotas: {limits: {projects: {p1: {image_count: 3}}}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("quotas.limits.projects.p1.image_count").hasMessageContaining("image_count_total");
    assertThatThrownBy(() -> fromFile("quotas: {limits: {default: {image_count: 3}}}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("quotas.limits.default.image_count");
    assertThatThrownBy(() -> fromFile("quotas: {limits: {projects: {p1: 3}}}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("quotas.limits.projects.p1");
  }

  @Test
  void limitsBelowMinusOneAreRefused() {
    assertThatThrownBy(() -> quotas("quotas.limits.default.image_count_total", "-2"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("image_count_total");
    assertThatThrownBy(() -> quotas("quotas.limits.projects.p.image_size_total", "-5"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("quotas.limits.projects.p.image_size_total");
  }
}
