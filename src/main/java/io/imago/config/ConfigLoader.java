package io.imago.config;

import io.imago.domain.QuotaResource;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds the {@link ImagoConfig} from defaults, a YAML file, {@code IMAGO_*} environment variables
 * and command-line overrides (later ones win). The defaults here are the ones documented in
 * {@code conf/imago.yaml}; a test keeps the two equal.
 */
public final class ConfigLoader {
  /** Environment variables that do not follow the IMAGO_<PATH> rule, kept short for operators. */
  private static final Map<String, List<String>> ENV_ALIASES = Map.of("http.bind", List.of("IMAGO_BIND"));

  private ConfigLoader() {}

  /** Loads {@code file} (or only defaults when null) with the process environment. */
  public static ImagoConfig load(Path file, Map<String, String> overrides) {
    return load(file, System.getenv(), overrides);
  }

  public static ImagoConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    return fromTree(file == null ? Map.of() : readYaml(file), env, overrides);
  }

  /** Only defaults, plus the given dotted-path overrides: how tests build configurations. */
  public static ImagoConfig defaults(Map<String, String> overrides) {
    return fromTree(Map.of(), Map.of(), overrides);
  }

  static Map<String, Object> readYaml(Path file) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object doc = new Yaml(new SafeConstructor(options)).load(in);
      if (doc == null) {
        return Map.of();
      }
      if (!(doc instanceof Map<?, ?> m)) {
        throw new ConfigException(file + ": expected a YAML mapping at the top level");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return map;
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("read configuration file " + file + ": " + e.getMessage(), e);
    } catch (YAMLException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage(), e);
    }
  }

  /**
   * The options in force after the file, the environment and the overrides, by dotted path, as
   * they would be written in a file ({@link ConfigTree#effective()}); validated like {@link #load}.
   */
  public static Map<String, Object> effective(Path file, Map<String, String> env, Map<String, String> overrides) {
    ConfigTree t = new ConfigTree(file == null ? Map.of() : readYaml(file), env, overrides, ENV_ALIASES);
    build(t);
    return t.effective();
  }

  /** The dotted path of every option Imago reads, in the order of {@code conf/imago.yaml}. */
  public static Set<String> optionPaths() {
    ConfigTree t = new ConfigTree(Map.of(), Map.of(), Map.of(), ENV_ALIASES);
    build(t);
    return t.readPaths();
  }

  static ImagoConfig fromTree(Map<String, Object> root, Map<String, String> env, Map<String, String> overrides) {
    return build(new ConfigTree(root, env, overrides, ENV_ALIASES));
  }

  private static ImagoConfig build(ConfigTree t) {
    Path dataDir = Path.of(t.string("data_dir", "data")).toAbsolutePath().normalize();
    String nodeId = t.string("node_id", defaultNodeId());

    HttpConfig http = new HttpConfig(
        t.string("http.bind", "127.0.0.1"),
        t.integer("http.port", 9292),
        t.integer("http.event_loops", 0),
        (int) t.bytes("http.max_chunk_size", 256 * 1024),
        t.bytes("http.max_json_body_size", 1 << 20),
        t.string("http.public_endpoint", null),
        t.duration("http.shutdown_timeout", Duration.ofSeconds(30)),
        path(t.string("http.healthcheck_disable_file", null), dataDir));

    DatabaseConfig database = new DatabaseConfig(
        t.string("database.url", null),
        t.integer("database.pool_size", 16),
        path(t.string("database.embedded.dir", "postgres"), dataDir),
        t.integer("database.embedded.port", 0),
        t.bool("database.embedded.fsync", true));

    StoreConfig store = new StoreConfig(path(t.string("store.file.filesystem_store_datadir", "images"), dataDir));

    ImagesConfig images = new ImagesConfig(
        t.bytes("images.image_size_cap", 1L << 40),
        t.string("images.hashing_algorithm", "sha512"),
        t.list("images.disk_formats", ImagesConfig.DEFAULT_DISK_FORMATS),
        t.list("images.container_formats", ImagesConfig.DEFAULT_CONTAINER_FORMATS),
        t.integer("images.limit_param_default", 25),
        t.integer("images.api_limit_max", 1000),
        t.integer("images.image_property_quota", 128),
        t.integer("images.image_tag_quota", 128),
        t.integer("images.image_member_quota", 128),
        t.integer("images.image_location_quota", 10),
        t.bool("images.show_image_direct_url", false),
        t.bool("images.show_multiple_locations", false),
        t.list("images.enabled_import_methods", List.of()));

    AuthConfig auth = new AuthConfig(
        t.string("auth.strategy", "noauth"),
        t.string("auth.noauth.default_project_id", "admin"),
        t.string("auth.noauth.default_user_id", "admin"),
        t.list("auth.noauth.default_roles", List.of("admin", "member", "reader")),
        new KeystoneConfig(
            t.string("auth.keystone_authtoken.www_authenticate_uri", null),
            t.string("auth.keystone_authtoken.auth_url", null),
            t.string("auth.keystone_authtoken.username", null),
            t.string("auth.keystone_authtoken.password", null),
            t.string("auth.keystone_authtoken.project_name", null),
            t.string("auth.keystone_authtoken.user_domain_name", "Default"),
            t.string("auth.keystone_authtoken.project_domain_name", "Default"),
            t.duration("auth.keystone_authtoken.token_cache_time", Duration.ofSeconds(300)),
            t.integer("auth.keystone_authtoken.token_cache_size", 10000),
            t.list("auth.keystone_authtoken.service_token_roles", List.of("service")),
            t.bool("auth.keystone_authtoken.service_token_roles_required", false),
            t.duration("auth.keystone_authtoken.http_connect_timeout", Duration.ofSeconds(3)),
            t.duration("auth.keystone_authtoken.http_request_timeout", Duration.ofSeconds(5)),
            t.string("auth.oslo_limit.endpoint_id", null),
            t.string("auth.oslo_limit.endpoint_service_type", "image"),
            t.string("auth.oslo_limit.system_scope", "all"),
            t.duration("auth.oslo_limit.cache_time", Duration.ofSeconds(30))),
        t.bool("auth.allow_anonymous_access", false));

    PolicyConfig policy = new PolicyConfig(
        t.bool("policy.enforce_new_defaults", true),
        t.bool("policy.enforce_scope", true),
        path(t.string("policy.policy_file", null), dataDir),
        path(t.string("policy.property_protection_file", null), dataDir),
        t.string("policy.property_protection_rule_format", "roles"));

    WorkerConfig workers = new WorkerConfig(
        t.integer("workers.hashing_threads", 0),
        t.integer("workers.hashing_batches_per_upload", 4),
        t.integer("workers.blocking_threads", 8));

    LoggingConfig logging = new LoggingConfig(
        t.string("logging.format", "text"),
        t.string("logging.level", "info"),
        t.bool("logging.access_log", true));

    QuotaConfig quotas = quotas(t);

    t.rejectUnknown();
    return new ImagoConfig(dataDir, nodeId, http, database, store, images, auth, policy, workers, logging, quotas);
  }

  /**
   * {@code quotas.*}: the legacy storage quota, the unified-limit switches, the default limits and
   * the per-project overrides ({@code quotas.limits.projects.<project id>.<resource>}), whose
   * resource names are checked here because the section's keys are not known in advance.
   */
  private static QuotaConfig quotas(ConfigTree t) {
    long userStorageQuota = t.bytes("quotas.user_storage_quota", 0);
    boolean useKeystoneLimits = t.bool("quotas.use_keystone_limits", false);
    boolean limitsEnabled = t.bool("quotas.limits.enabled", false);
    Map<QuotaResource, Long> defaults = new EnumMap<>(QuotaResource.class);
    for (QuotaResource r : QuotaResource.values()) {
      defaults.put(r, t.longValue("quotas.limits.default." + r.resourceName(), QuotaConfig.UNLIMITED));
    }
    Map<String, Map<QuotaResource, Long>> projects = new LinkedHashMap<>();
    for (String project : t.keys("quotas.limits.projects")) {
      String section = "quotas.limits.projects." + project;
      Map<QuotaResource, Long> limits = new EnumMap<>(QuotaResource.class);
      for (String name : t.keys(section)) {
        QuotaResource r = QuotaResource.byName(name).orElseThrow(() -> new ConfigException(section + "." + name
            + ": unknown quota resource (expected: image_size_total, image_stage_total, image_count_total,"
            + " image_count_uploading)"));
        limits.put(r, t.longValue(section + "." + name, QuotaConfig.UNLIMITED));
      }
      projects.put(project, limits);
    }
    return new QuotaConfig(userStorageQuota, useKeystoneLimits, limitsEnabled, defaults, projects);
  }

  /** A path relative to the data directory unless absolute; null stays null. */
  private static Path path(String value, Path dataDir) {
    if (value == null) {
      return null;
    }
    return dataDir.resolve(value).toAbsolutePath().normalize();
  }

  private static String defaultNodeId() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.length() > 64 ? fromEnv.substring(0, 64) : fromEnv;
    }
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return h.length() > 64 ? h.substring(0, 64) : h;
    } catch (IOException e) {
      return "imago";
    }
  }
}
