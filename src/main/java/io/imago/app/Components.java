package io.imago.app;

import io.imago.api.CacheHandler;
import io.imago.api.DiscoveryHandler;
import io.imago.api.HealthHandler;
import io.imago.db.DatabaseHealth;
import io.imago.db.embedded.EmbeddedPostgres;
import io.imago.db.embedded.PostgresSupervisor;
import io.imago.store.InstrumentedStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import io.imago.api.ImageActionsHandler;
import io.imago.api.ImageDataHandler;
import io.imago.api.ImageListHandler;
import io.imago.api.ImageLookups;
import io.imago.api.ImageTagsHandler;
import io.imago.api.ImageUpdates;
import io.imago.api.ImageView;
import io.imago.api.ImagesHandler;
import io.imago.api.MembersHandler;
import io.imago.api.MetadefAccess;
import io.imago.api.MetadefContentsHandler;
import io.imago.api.MetadefNamespacesHandler;
import io.imago.api.MetadefSchemas;
import io.imago.api.Routes;
import io.imago.api.SchemasHandler;
import io.imago.api.StoresHandler;
import io.imago.api.VersionsHandler;
import io.imago.auth.Authenticator;
import io.imago.cache.Cleaner;
import io.imago.cache.NodeCache;
import io.imago.cache.Prefetcher;
import io.imago.cache.Pruner;
import io.imago.auth.KeystoneAuthenticator;
import io.imago.auth.TrustedHeadersAuthenticator;
import io.imago.config.ImagesConfig;
import io.imago.config.ImagoConfig;
import io.imago.config.KeystoneConfig;
import io.imago.config.MetadefsConfig;
import io.imago.data.Downloads;
import io.imago.data.FormatInspection;
import io.imago.data.ImageStores;
import io.imago.data.Receiver;
import io.imago.data.Uploads;
import io.imago.db.BlobGarbageRepository;
import io.imago.db.ImageRepository;
import io.imago.db.MemberRepository;
import io.imago.db.MetadefRepository;
import io.imago.db.UsageRepository;
import io.imago.domain.ImageSchema;
import io.imago.keystone.KeystoneClient;
import io.imago.metrics.Metrics;
import io.imago.policy.Policy;
import io.imago.policy.PropertyProtections;
import io.imago.quota.ConfiguredLimitSource;
import io.imago.quota.KeystoneLimitSource;
import io.imago.quota.LimitSource;
import io.imago.quota.Quotas;
import io.imago.store.StoreRegistry;
import io.imago.store.file.FileBlobStore;
import io.imago.tasks.BlobSweeper;
import io.imago.tasks.StoreReconciler;
import io.imago.worker.JobWorker;
import io.imago.worker.Pools;
import io.imago.worker.Scheduler;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object graph of one node, wired by hand once at start: stores, repositories, the caller's
 * identity, quotas, the data use cases, the background workers and the API handlers, each given
 * exactly what it uses. Nothing here starts running: {@link App} recovers, deploys the workers and
 * then the HTTP verticles.
 */
final class Components {
  private static final Logger LOG = LoggerFactory.getLogger(Components.class);
  /** How often the blob sweeper looks for data a crash or a store outage left behind. */
  static final Duration SWEEP_INTERVAL = Duration.ofMinutes(5);
  /** How long a stopping worker's pass in progress may take before the node closes under it. */
  static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(10);
  /** How often the cache's prefetcher retries what failed (it is kicked by every queued image). */
  static final Duration PREFETCH_INTERVAL = Duration.ofSeconds(5);

  final Pools pools;
  final StoreRegistry stores;
  final ImageRepository images;
  final MemberRepository members;
  final MetadefRepository metadefs;
  final Lifecycle lifecycle;
  final Authenticator authenticator;
  final List<JobWorker> workers;
  final Routes.Handlers handlers;
  /** The node cache, or null when it is off. */
  final NodeCache cache;

  private Components(Pools pools, StoreRegistry stores, ImageRepository images, MemberRepository members,
      MetadefRepository metadefs, Lifecycle lifecycle, Authenticator authenticator, List<JobWorker> workers,
      Routes.Handlers handlers, NodeCache cache) {
    this.cache = cache;
    this.pools = pools;
    this.stores = stores;
    this.images = images;
    this.members = members;
    this.metadefs = metadefs;
    this.lifecycle = lifecycle;
    this.authenticator = authenticator;
    this.workers = workers;
    this.handlers = handlers;
  }

  /**
   * Builds the graph. Blocking (store directories are created): call at start, from a plain thread.
   *
   * @param postgres the embedded server to supervise, or null with an external database
   */
  static Components wire(ImagoConfig config, Vertx vertx, Pool pool, EmbeddedPostgres postgres, Metrics metrics,
      Clock clock, Policy policy, PropertyProtections protections) throws IOException {
    Pools pools = new Pools(vertx, config.workers());
    StoreRegistry stores = StoreRegistry.open(config.store(),
        Map.of(FileBlobStore.TYPE, FileBlobStore.type(vertx, pools, config.nodeId())), metrics);
    ImageRepository images = new ImageRepository(pool, clock);
    MemberRepository members = new MemberRepository(pool, clock);
    MetadefRepository metadefs = new MetadefRepository(pool, clock);
    Lifecycle lifecycle = new Lifecycle();
    Scheduler scheduler = Scheduler.of(vertx, clock);

    BlobGarbageRepository garbage = new BlobGarbageRepository(pool);
    JobWorker sweeper = new JobWorker(new BlobSweeper(garbage, stores), SWEEP_INTERVAL,
        true, scheduler, metrics.worker("blob-sweeper"), WORKER_STOP_TIMEOUT);
    Runnable sweepNow = sweeper::kick;
    List<JobWorker> workers = new ArrayList<>(List.of(sweeper));
    StoreReconciler reconciler = new StoreReconciler(pool, garbage, stores, clock, config.workers().orphanGrace(),
        sweepNow, metrics);
    // a first pass at start: a crash before it may have left data behind
    workers.add(new JobWorker(reconciler, config.workers().reconcileInterval(), true, scheduler,
        metrics.worker(reconciler.name()), WORKER_STOP_TIMEOUT));
    DatabaseHealth databaseHealth = new DatabaseHealth(vertx, pool, clock);
    workers.add(new JobWorker(databaseHealth, DatabaseHealth.INTERVAL, false, scheduler,
        metrics.worker(databaseHealth.name()), WORKER_STOP_TIMEOUT));
    PostgresSupervisor supervisor = postgres == null ? null : new PostgresSupervisor(vertx, postgres, clock);
    if (supervisor != null) {
      workers.add(new JobWorker(supervisor, PostgresSupervisor.INTERVAL, false, scheduler,
          metrics.worker(supervisor.name()), WORKER_STOP_TIMEOUT));
    }

    // One Keystone client (and one service-user token) for token validation and limits alike
    KeystoneClient keystone = config.auth().keystoneStrategy() || config.quotas().useKeystoneLimits()
        ? new KeystoneClient(vertx, config.auth().keystone(), clock) : null;
    Authenticator authenticator = authenticator(config, keystone, policy, clock);
    LimitSource limits = config.quotas().useKeystoneLimits()
        ? new KeystoneLimitSource(keystone, config.auth().keystone())
        : new ConfiguredLimitSource(config.quotas());
    Quotas quotas = new Quotas(config.quotas(), limits, new UsageRepository(pool), images);

    ImagesConfig imagesConfig = config.images();
    Receiver receiver = new Receiver(pools, metrics, imagesConfig.hashingAlgorithm(), imagesConfig.hashingDigestName());
    Uploads uploads = new Uploads(receiver, images, garbage, config.workers().orphanGrace(), quotas, stores,
        lifecycle, metrics, config.nodeId(),
        imagesConfig.imageSizeCap(), new FormatInspection(new FormatInspection.Settings(
            imagesConfig.requireImageFormatMatch(), Set.copyOf(imagesConfig.gptSafetyChecksNonfatal()),
            Set.copyOf(imagesConfig.vmdkAllowedTypes()))), Uploads.TapSource.NONE);
    NodeCache cache = config.cache().enabled()
        ? NodeCache.open(config.cache(), vertx, pools, clock, metrics.registry()) : null;
    Downloads downloads = new Downloads(stores, pools, metrics, cache);
    if (cache != null) {
      JobWorker pruner = new JobWorker(new Pruner(cache), config.cache().pruneInterval(), true, scheduler,
          metrics.worker("cache-pruner"), WORKER_STOP_TIMEOUT);
      cache.afterCommit(pruner::kick);
      workers.add(pruner);
      workers.add(new JobWorker(new Cleaner(cache, images::find), config.cache().cleanInterval(), true, scheduler,
          metrics.worker("cache-cleaner"), WORKER_STOP_TIMEOUT));
      JobWorker prefetcher = new JobWorker(new Prefetcher(cache, images::find, downloads::source), PREFETCH_INTERVAL,
          true, scheduler, metrics.worker("cache-prefetcher"), WORKER_STOP_TIMEOUT);
      cache.afterQueue(prefetcher::kick);
      workers.add(prefetcher);
    }
    ImageStores imageStores = new ImageStores(stores, images, sweepNow);

    ImageSchema schema = new ImageSchema(imagesConfig.diskFormats(), imagesConfig.containerFormats());
    ImageLookups lookups = new ImageLookups(images, policy);
    ImageUpdates updates = new ImageUpdates(images, lookups, sweepNow);
    ImageView view = new ImageView(imagesConfig, imageStores, protections);
    String publicEndpoint = config.http().publicEndpoint();
    MetadefSchemas metadefSchemas = new MetadefSchemas();
    MetadefAccess metadefAccess = new MetadefAccess(metadefs, policy);
    MetadefsConfig mc = config.metadefs();
    MetadefRepository.Limits metadefLimits = new MetadefRepository.Limits(mc.namespacesPerProject(),
        mc.objectsPerNamespace(), mc.propertiesPerNamespace(), mc.tagsPerNamespace());
    Routes.Handlers handlers = new Routes.Handlers(
        new ImagesHandler(imagesConfig, publicEndpoint, images, policy, protections, schema, quotas, imageStores,
            lookups, updates, view, sweepNow, cache == null ? id -> { } : cache::imageDeleted),
        new ImageListHandler(imagesConfig, images, policy, protections, view),
        new ImageDataHandler(lookups, uploads, downloads, lifecycle),
        new ImageActionsHandler(images, policy, lookups),
        new ImageTagsHandler(imagesConfig, policy, schema, lookups, updates),
        new MembersHandler(imagesConfig, members, policy, lookups),
        new StoresHandler(lookups, imageStores),
        new DiscoveryHandler(imagesConfig, policy, quotas, imageStores, lookups),
        new SchemasHandler(schema),
        new VersionsHandler(cache != null, stores.multiStore(), publicEndpoint),
        new HealthHandler(config.http().healthcheckDisableFile(), lifecycle, databaseHealth,
            () -> moreHealthChecks(vertx, supervisor, stores)),
        new MetadefNamespacesHandler(imagesConfig, publicEndpoint, metadefAccess, metadefSchemas, metadefLimits),
        new MetadefContentsHandler(metadefAccess, metadefSchemas, metadefLimits),
        new CacheHandler(cache, policy, lookups));
    return new Components(pools, stores, images, members, metadefs, lifecycle, authenticator, List.copyOf(workers),
        handlers, cache);
  }

  /** The detailed health view's checks beyond the database: its supervisor, and every store's room. */
  private static Future<JsonArray> moreHealthChecks(Vertx vertx, PostgresSupervisor supervisor, StoreRegistry stores) {
    JsonArray out = new JsonArray();
    if (supervisor != null) {
      long pid = supervisor.pid();
      out.add(HealthHandler.reason("EmbeddedDatabaseCheck", pid > 0 ? "OK" : "DATABASE NOT RUNNING",
          new JsonObject().put("pid", pid).put("restarts", supervisor.restarts())));
    }
    List<Future<JsonObject>> checks = new ArrayList<>();
    for (InstrumentedStore store : stores.all()) {
      Object dir = store.properties().get("data_dir");
      JsonObject details = new JsonObject().put("store", store.id()).put("type", store.type());
      if (dir == null) {
        checks.add(Future.succeededFuture(HealthHandler.reason("StoreCheck", "OK", details)));
        continue;
      }
      details.put("data_dir", dir.toString());
      checks.add(vertx.fileSystem().fsProps(dir.toString())
          .map(fs -> HealthHandler.reason("StoreCheck", "OK", details.put("usable_bytes", fs.usableSpace())
              .put("total_bytes", fs.totalSpace())))
          .otherwise(e -> HealthHandler.reason("StoreCheck", "STORE UNAVAILABLE", details.put("error", String.valueOf(e)))));
    }
    return Future.all(checks).map(all -> {
      for (int i = 0; i < all.size(); i++) {
        out.add((JsonObject) all.resultAt(i));
      }
      return out;
    });
  }

  private static Authenticator authenticator(ImagoConfig config, KeystoneClient keystone, Policy policy, Clock clock) {
    if (config.auth().keystoneStrategy()) {
      KeystoneConfig kc = config.auth().keystone();
      LOG.atInfo().setMessage("authentication: Keystone tokens").addKeyValue("auth_url", kc.authUrl()).log();
      return new KeystoneAuthenticator(keystone, kc, config.auth().allowAnonymousAccess(), policy::isAdmin, clock);
    }
    return new TrustedHeadersAuthenticator(config.auth(), policy::isAdmin);
  }
}
