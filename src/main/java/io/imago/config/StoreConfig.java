package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Image data stores, as Glance configures them. Without {@code enabled_backends} there is one file
 * store, id {@code file} (Glance's single-store mode); with it, every backend listed, by id, in
 * configuration order, uploads going to {@code default_backend} (multi-store mode: the
 * {@code stores} attribute, {@code /v2/info/stores}, {@code X-Image-Meta-Store}). The staging store
 * ({@code os_glance_staging_store}) is always there.
 *
 * @param backends the stores, in configuration order (one in single-store mode)
 * @param defaultBackend the id of the store uploads go to
 * @param multiStore whether {@code enabled_backends} was configured
 * @param stagingDir where the staging store keeps data that {@code PUT /stage} received
 */
public record StoreConfig(List<Backend> backends, String defaultBackend, boolean multiStore, Path stagingDir) {
  /** The store id of single-store mode, which locations written before multi-store name. */
  public static final String SINGLE_STORE_ID = "file";
  /** Store types Imago has. */
  public static final Set<String> TYPES = Set.of("file");

  private static final List<String> BACKEND_OPTIONS =
      List.of("type", "description", "weight", "filesystem_store_datadir");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /**
   * One store.
   *
   * @param type {@code file}
   * @param description Glance's {@code store_description}, shown by {@code /v2/info/stores}; may be null
   * @param weight Glance's {@code weight}: when an image is in several stores, the heaviest serves it
   * @param fileDir a file store's {@code filesystem_store_datadir}
   */
  public record Backend(String id, String type, String description, int weight, Path fileDir) {
    public Backend {
      requireNonNull(id, "id");
      requireNonNull(type, "type");
      requireNonNull(fileDir, "fileDir");
    }
  }

  public StoreConfig {
    backends = List.copyOf(backends);
    requireNonNull(stagingDir, "stagingDir");
    if (backends.isEmpty()) {
      throw new ConfigException("store.enabled_backends: empty (expected: at least one store)");
    }
    if (backends.stream().noneMatch(b -> b.id().equals(defaultBackend))) {
      throw new ConfigException("store.default_backend: " + defaultBackend + " (expected: one of "
          + String.join(", ", backends.stream().map(Backend::id).toList()) + ")");
    }
    Set<Path> dirs = new LinkedHashSet<>();
    for (Backend b : backends) {
      if (!dirs.add(b.fileDir()) || b.fileDir().equals(stagingDir)) {
        throw new ConfigException("store.enabled_backends." + b.id() + ".filesystem_store_datadir: " + b.fileDir()
            + " (expected: a directory of its own, not another store's)");
      }
    }
  }

  /** The store uploads go to. */
  public Backend defaultStore() {
    return backends.stream().filter(b -> b.id().equals(defaultBackend)).findFirst().orElseThrow();
  }

  /** The directory of the default store (every store is a file store for now). */
  public Path fileDir() {
    return defaultStore().fileDir();
  }

  /** {@code store.*}: the backends, the default one, the staging directory (paths relative to {@code dataDir}). */
  static StoreConfig read(ConfigTree t, Path dataDir) {
    String defaultBackend = t.string("store.default_backend", null);
    Set<String> ids = t.keys("store.enabled_backends");
    Path singleDir = t.path("store.file.filesystem_store_datadir", "images", dataDir);
    List<Backend> backends;
    if (ids.isEmpty()) {
      backends = List.of(new Backend(SINGLE_STORE_ID, "file", null, 0, singleDir));
      if (defaultBackend == null) {
        defaultBackend = SINGLE_STORE_ID;
      }
    } else {
      backends = ids.stream().map(id -> backend(t, id, dataDir)).toList();
      if (defaultBackend == null) {
        defaultBackend = backends.get(0).id();
      }
    }
    Path staging = t.path("store.os_glance_staging_store.filesystem_store_datadir", "staging", dataDir);
    return new StoreConfig(backends, defaultBackend, !ids.isEmpty(), staging);
  }

  private static Backend backend(ConfigTree t, String id, Path dataDir) {
    String section = "store.enabled_backends." + id;
    if (!ID.matcher(id).matches() || id.startsWith("os_glance_")) {
      throw new ConfigException(section + ": bad store id (expected: letters, digits, '_' and '-', at most 64,"
          + " not starting with the reserved os_glance_)");
    }
    // the loader's unknown-option check stops at a section whose keys are names (like this one)
    for (String option : t.keys(section)) {
      if (!BACKEND_OPTIONS.contains(option)) {
        throw new ConfigException(section + "." + option + ": unknown option (expected: "
            + String.join(", ", BACKEND_OPTIONS) + ")");
      }
    }
    String type = t.string(section + ".type", null);
    if (type == null || !TYPES.contains(type)) {
      throw new ConfigException(section + ".type: " + type + " (expected: one of " + String.join(", ", TYPES) + ")");
    }
    return new Backend(id, type, t.string(section + ".description", null), t.integer(section + ".weight", 0),
        t.path(section + ".filesystem_store_datadir", "images/" + id, dataDir));
  }
}
