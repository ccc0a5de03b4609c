package io.imago.store;

import static java.util.Objects.requireNonNull;

import io.imago.config.StoreConfig;
import io.imago.metrics.Metrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured stores by id (Glance's {@code enabled_backends}), the default one that uploads go
 * to ({@code default_backend}), and the reserved staging store ({@code os_glance_staging_store})
 * where {@code PUT /stage} keeps data until it is imported. Every store is an
 * {@link InstrumentedStore}. Built once at start; immutable and thread-safe.
 *
 * <p>Multi-store mode is Glance's "{@code enabled_backends} is set", even with one backend: it turns
 * on the {@code stores} attribute, {@code /v2/info/stores}, {@code X-Image-Meta-Store} and the
 * multi-store API versions. Without it there is one store and none of these.
 */
public final class StoreRegistry {
  /** Glance's reserved staging store; never listed, never a target of uploads. */
  public static final String STAGING = "os_glance_staging_store";

  /**
   * One configured store and what the operator said of it.
   *
   * @param description Glance's {@code store_description}, or null
   * @param weight Glance's {@code weight}: locations in heavier stores come first
   */
  public record Entry(InstrumentedStore store, String description, int weight) {
    public Entry {
      requireNonNull(store, "store");
    }

    public String id() {
      return store.id();
    }
  }

  private final Map<String, Entry> enabled;
  private final Entry defaultEntry;
  private final InstrumentedStore staging;
  private final boolean multiStore;

  /**
   * @param enabled the stores, in configuration order
   * @param defaultId the store uploads go to
   * @param multiStore whether the stores were configured as Glance's {@code enabled_backends}
   */
  public StoreRegistry(List<Entry> enabled, String defaultId, InstrumentedStore staging, boolean multiStore) {
    Map<String, Entry> byId = new LinkedHashMap<>();
    for (Entry e : enabled) {
      if (e.id().startsWith("os_glance_")) {
        throw new IllegalArgumentException("store id: " + e.id() + " (expected: not a reserved os_glance_* name)");
      }
      if (byId.put(e.id(), e) != null) {
        throw new IllegalArgumentException("store id: " + e.id() + " (expected: unique)");
      }
    }
    if (byId.isEmpty()) {
      throw new IllegalArgumentException("stores: none (expected: at least one)");
    }
    if (!multiStore && byId.size() > 1) {
      throw new IllegalArgumentException("stores: " + byId.keySet() + " (expected: one without multi-store)");
    }
    this.enabled = Collections.unmodifiableMap(byId);
    this.defaultEntry = byId.get(requireNonNull(defaultId, "defaultId"));
    if (defaultEntry == null) {
      throw new IllegalArgumentException("default store: " + defaultId + " (expected: one of " + byId.keySet() + ")");
    }
    this.staging = requireNonNull(staging, "staging");
    this.multiStore = multiStore;
  }

  /**
   * The configured stores, each opened by the {@link StoreType} of its type and put in its
   * {@link InstrumentedStore}, and the staging store (a {@code file} store). Blocking: call at start.
   */
  public static StoreRegistry open(StoreConfig config, Map<String, StoreType> types, Metrics metrics)
      throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (StoreConfig.Backend b : config.backends()) {
      entries.add(new Entry(new InstrumentedStore(type(types, b.type()).open(b), metrics),
          b.description(), b.weight()));
    }
    BlobStore staging = type(types, "file").open(new StoreConfig.Backend(STAGING, "file", null, 0, config.stagingDir()));
    return new StoreRegistry(entries, config.defaultBackend(), new InstrumentedStore(staging, metrics),
        config.multiStore());
  }

  private static StoreType type(Map<String, StoreType> types, String type) {
    StoreType t = types.get(type);
    if (t == null) {
      throw new IllegalArgumentException("store type: " + type + " (expected: one of " + types.keySet() + ")");
    }
    return t;
  }

  /** Whether stores were configured as Glance's multi-store {@code enabled_backends}. */
  public boolean multiStore() {
    return multiStore;
  }

  /** The store with this id (an enabled one, or the staging store); {@link UnknownStoreException} otherwise. */
  public InstrumentedStore get(String id) {
    if (STAGING.equals(id)) {
      return staging;
    }
    Entry e = id == null ? null : enabled.get(id);
    if (e == null) {
      throw new UnknownStoreException(id);
    }
    return e.store();
  }

  /** An enabled store that uploads may target; {@link UnknownStoreException} for any other id. */
  public Entry enabled(String id) {
    Entry e = id == null ? null : enabled.get(id);
    if (e == null) {
      throw new UnknownStoreException(id);
    }
    return e;
  }

  public boolean contains(String id) {
    return STAGING.equals(id) || enabled.containsKey(id);
  }

  public InstrumentedStore defaultStore() {
    return defaultEntry.store();
  }

  public InstrumentedStore staging() {
    return staging;
  }

  /** The enabled stores in configuration order (the reserved staging store is not among them). */
  public List<Entry> enabled() {
    return List.copyOf(enabled.values());
  }

  /** Every store, the staging store last: what start-up cleans and the blob sweeper deletes from. */
  public List<InstrumentedStore> all() {
    List<InstrumentedStore> out = new ArrayList<>();
    enabled.values().forEach(e -> out.add(e.store()));
    out.add(staging);
    return out;
  }
}
