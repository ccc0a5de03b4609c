package io.imago.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where options come from (flags, environment, file, defaults) and how bad ones are refused. */
class ConfigLoaderTest {
  @TempDir
  Path tmp;

  private Path yaml(String text) throws Exception {
    return Files.writeString(tmp.resolve("imago-" + System.nanoTime() + ".yaml"), text, StandardCharsets.UTF_8);
  }

  private static ImagoConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
    return ConfigLoader.load(file, env, flags);
  }

  @Test
  void defaultsServeOnLoopbackWithTheEmbeddedDatabase() {
    ImagoConfig c = load(null, Map.of(), Map.of());
    assertThat(c.http().bind()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isEqualTo(9292);
    assertThat(c.database().url()).isNull();
    assertThat(c.database().embedded()).isTrue();
    assertThat(c.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
    assertThat(c.database().embeddedDir()).isEqualTo(c.dataDir().resolve("postgres"));
    assertThat(c.store().fileDir()).isEqualTo(c.dataDir().resolve("images"));
    assertThat(c.images().imageSizeCap()).isEqualTo(1L << 40);
    assertThat(c.http().shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void theFourOperatorVariablesOverrideTheFile() throws Exception {
    Path file = yaml("""
        data_dir: /srv/from-file
        http: {bind: 10.0.0.1, port: 1000}
        database: {url: "postgresql://file:pw@db1/imago"}
        """);
    ImagoConfig c = load(file, Map.of(
        "IMAGO_HTTP_PORT", "2000",
        "IMAGO_BIND", "0.0.0.0",
        "IMAGO_DATA_DIR", tmp.resolve("from-env").toString(),
        "IMAGO_DATABASE_URL", "postgresql://env:pw@db2:5433/imago"), Map.of());

    assertThat(c.http().port()).isEqualTo(2000);
    assertThat(c.http().bind()).isEqualTo("0.0.0.0");
    assertThat(c.dataDir()).isEqualTo(tmp.resolve("from-env"));
    assertThat(c.store().fileDir()).isEqualTo(tmp.resolve("from-env").resolve("images"));
    assertThat(c.database().url()).isEqualTo("postgresql://env:pw@db2:5433/imago");
    assertThat(c.database().embedded()).isFalse();
  }

  @Test
  void everyOptionHasAnEnvironmentVariable() {
    ImagoConfig c = load(null, Map.of(
        "IMAGO_IMAGES_IMAGE_SIZE_CAP", "1GiB",
        "IMAGO_IMAGES_DISK_FORMATS", "raw, qcow2",
        "IMAGO_HTTP_SHUTDOWN_TIMEOUT", "2m",
        "IMAGO_POLICY_ENFORCE_NEW_DEFAULTS", "false",
        "IMAGO_DATABASE_EMBEDDED_FSYNC", "off",
        "IMAGO_HTTP_BIND", "::1"), Map.of());

    assertThat(c.images().imageSizeCap()).isEqualTo(1L << 30);
    assertThat(c.images().diskFormats()).containsExactly("raw", "qcow2");
    assertThat(c.http().shutdownTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.policy().enforceNewDefaults()).isFalse();
    assertThat(c.database().embeddedFsync()).isFalse();
    assertThat(c.http().bind()).isEqualTo("::1");
  }

  @Test
  void flagsBeatEnvironmentBeatFileBeatDefaults() throws Exception {
    Path file = yaml("http: {port: 1000}\nimages: {image_tag_quota: 7}\n");
    Map<String, String> env = Map.of("IMAGO_HTTP_PORT", "2000", "IMAGO_IMAGES_IMAGE_MEMBER_QUOTA", "9");
    Map<String, String> flags = Map.of("http.port", "3000");

    assertThat(load(file, env, flags).http().port()).isEqualTo(3000);
    assertThat(load(file, env, Map.of()).http().port()).isEqualTo(2000);
    assertThat(load(file, Map.of(), Map.of()).http().port()).isEqualTo(1000);
    assertThat(load(null, Map.of(), Map.of()).http().port()).isEqualTo(9292);
    ImagoConfig c = load(file, env, flags);
    assertThat(c.images().imageTagQuota()).isEqualTo(7);
    assertThat(c.images().imageMemberQuota()).isEqualTo(9);
    assertThat(c.images().imagePropertyQuota()).isEqualTo(128);
  }

  @Test
  void theLongEnvironmentNameBeatsTheShortAlias() {
    assertThat(load(null, Map.of("IMAGO_HTTP_BIND", "10.0.0.2", "IMAGO_BIND", "10.0.0.3"), Map.of()).http().bind())
        .isEqualTo("10.0.0.2");
  }

  @Test
  void relativePathsResolveAgainstTheDataDirectory() throws Exception {
    Path file = yaml("""
        data_dir: %s
        store: {file: {filesystem_store_datadir: blobs}}
        database: {embedded: {dir: /var/lib/pg}}
        http: {healthcheck_disable_file: maintenance}
        """.formatted(tmp.resolve("d")));
    ImagoConfig c = load(file, Map.of(), Map.of());
    assertThat(c.store().fileDir()).isEqualTo(tmp.resolve("d/blobs"));
    assertThat(c.database().embeddedDir()).isEqualTo(Path.of("/var/lib/pg"));
    assertThat(c.http().healthcheckDisableFile()).isEqualTo(tmp.resolve("d/maintenance"));
  }

  @Test
  void anEmptyValueMeansTheDefault() throws Exception {
    Path file = yaml("http: {bind: '', port: ~}\ndatabase: {url: ''}\nimages: {hashing_algorithm: }\n");
    ImagoConfig c = load(file, Map.of("IMAGO_LOGGING_LEVEL", ""), Map.of());
    assertThat(c.http().bind()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isEqualTo(9292);
    assertThat(c.database().url()).isNull();
    assertThat(c.images().hashingAlgorithm()).isEqualTo("sha512");
    assertThat(c.logging().level()).isEqualTo("info");
  }

  @Test
  void unknownOptionsAreRefusedByName() throws Exception {
    assertThatThrownBy(() -> load(yaml("images:\n  image_size_kap: 10\n"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("images.image_size_kap");
    assertThatThrownBy(() -> load(yaml("colour: blue\n"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("colour");
    assertThatThrownBy(() -> load(yaml("database: {embedded: {fsynk: false}}\n"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("database.embedded.fsynk");
    assertThatThrownBy(() -> ConfigLoader.defaults(Map.of("images.image_property_qouta", "3")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("images.image_property_qouta");
  }

  @Test
  void aValueWhereASectionBelongsIsRefused() throws Exception {
    assertThatThrownBy(() -> load(yaml("http: 9292\n"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http: expected a section");
    assertThatThrownBy(() -> load(yaml("http: {port: {number: 1}}\n"), Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port: expected an integer");
  }

  @Test
  void badValuesAreRefusedWithTheOptionAndWhatWasExpected() {
    assertBad("http.port", "nine", "http.port: nine (expected: an integer)");
    assertBad("http.port", "70000", "http.port: 70000 (expected: 0..65535)");
    assertBad("images.image_size_cap", "10 parsecs", "images.image_size_cap: 10 parsecs (expected: a byte count");
    assertBad("http.shutdown_timeout", "soon", "http.shutdown_timeout: soon (expected: a duration");
    assertBad("database.embedded.fsync", "maybe", "database.embedded.fsync: maybe (expected: true or false)");
    assertBad("images.hashing_algorithm", "crc32", "images.hashing_algorithm: crc32 (expected: one of md5,");
    assertBad("logging.format", "xml", "logging.format: xml (expected: text or json)");
    assertBad("database.pool_size", "0", "database.pool_size: 0 (expected: 1..1000)");
    assertBad("images.image_tag_quota", "-2", "images.image_tag_quota: -2 (expected: -1 for unlimited, or >= 0)");
    assertBad("images.api_limit_max", "0", "images.api_limit_max: 0 (expected: >= 1)");
    assertBad("images.enabled_import_methods", "glance-direct,ftp", "images.enabled_import_methods: ftp");
    assertBad("http.max_chunk_size", "1B", "http.max_chunk_size: 1 (expected: 1KiB..16MiB)");
    assertBad("auth.strategy", "ldap", "auth.strategy: ldap (expected: noauth or keystone)");
    assertBad("auth.strategy", "keystone", "auth.strategy: keystone needs auth.keystone_authtoken.auth_url");
    assertBad("node_id", "x".repeat(65), "node_id:");
  }

  private static void assertBad(String path, String value, String message) {
    assertThatThrownBy(() -> ConfigLoader.defaults(Map.of(path, value)))
        .as("%s = %s", path, value).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    assertThatThrownBy(() -> load(null, Map.of(ConfigTree.envName(path), value), Map.of()))
        .as("env %s = %s", ConfigTree.envName(path), value).isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void unreadableFilesAreRefusedWithTheirName() throws Exception {
    Path missing = tmp.resolve("nope.yaml");
    assertThatThrownBy(() -> load(missing, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessage("configuration file not found: " + missing);
    Path broken = yaml("http: {port: 1\n");
    assertThatThrownBy(() -> load(broken, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(broken + ": not valid YAML");
    Path list = yaml("- a\n- b\n");
    assertThatThrownBy(() -> load(list, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("expected a YAML mapping");
    Path duplicate = yaml("http: {port: 1}\nhttp: {port: 2}\n");
    assertThatThrownBy(() -> load(duplicate, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("duplicate key");
  }

  @Test
  void anEmptyFileMeansTheDefaults() throws Exception {
    assertThat(load(yaml(""), Map.of(), Map.of())).isEqualTo(ConfigLoader.defaults(Map.of()));
  }

  @Test
  void effectiveValuesAreWhatAFileWouldSay() throws Exception {
    Map<String, Object> effective = ConfigLoader.effective(yaml("images: {image_size_cap: 2GiB}\n"),
        Map.of("IMAGO_HTTP_PORT", "8080"), Map.of("http.bind", "0.0.0.0"));
    assertThat(effective).containsEntry("http.port", 8080).containsEntry("http.bind", "0.0.0.0")
        .containsEntry("images.image_size_cap", 2L << 30).containsEntry("http.shutdown_timeout", "30s")
        .containsEntry("images.container_formats", ImagesConfig.DEFAULT_CONTAINER_FORMATS)
        .containsEntry("database.url", null);
    assertThat(effective.keySet()).containsExactlyElementsOf(ConfigLoader.optionPaths());
    assertThat(List.copyOf(ConfigLoader.optionPaths())).startsWith("data_dir", "node_id", "http.bind");
  }
}
