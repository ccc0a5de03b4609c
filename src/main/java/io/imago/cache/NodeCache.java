package io.imago.cache;

import static java.util.Objects.requireNonNull;

import io.imago.config.CacheConfig;
import io.imago.config.ImagesConfig;
import io.imago.data.Download;
import io.imago.data.DownloadCache;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.metrics.CacheMeters;
import io.imago.worker.Pools;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node image cache (spec/cache.md): verified image files under {@code image_cache_dir}, the
 * fills in progress, and the prefetch queue. It stands in front of the stores for full downloads of
 * active images ({@link DownloadCache}): a hit is the cached file, for sendfile; a miss starts the
 * image's one {@link Fill} and reads it as it grows; every other miss meanwhile joins that fill.
 *
 * <p>The view of what is cached is rebuilt from the directory at start: a file at the top is whole
 * and verified (it got there by an atomic rename after verification), its size is its length, its
 * times its mtime and atime (which Imago sets itself, so {@code noatime} does not matter); hit
 * counts start again at zero. What {@code incomplete/} holds at start belongs to no fill and is
 * deleted. One lock guards the index and the fills, so a miss never starts a second fill of an
 * image whose fill is just being published.
 */
public final class NodeCache implements DownloadCache {
  private static final Logger LOG = LoggerFactory.getLogger(NodeCache.class);

  private final CacheConfig config;
  private final Vertx vertx;
  private final Pools pools;
  private final Clock clock;
  private final Path dir;
  private final Path incomplete;
  private final Path invalid;
  private final Path queue;
  private CacheMeters meters;

  private final Object lock = new Object();
  // guarded by lock
  private final Map<String, CacheEntry> entries = new HashMap<>();
  private final Map<String, Fill> fills = new HashMap<>();
  private final LinkedHashMap<String, QueueState> queued = new LinkedHashMap<>();
  private long bytes;
  private volatile Runnable afterCommit = () -> { };
  /** Free room of the cache's file system at the pruner's last pass. */
  private volatile long usableBytes = Long.MAX_VALUE;
  private volatile Runnable afterQueue = () -> { };

  /** What the prefetcher knows of a queued image. */
  static final class QueueState {
    final String id;
    String state = "queued";
    String lastError;
    int attempts;
    long notBeforeMillis;

    QueueState(String id) {
      this.id = id;
    }
  }

  private NodeCache(CacheConfig config, Vertx vertx, Pools pools, Clock clock) {
    this.config = config;
    this.vertx = vertx;
    this.pools = pools;
    this.clock = clock;
    this.dir = requireNonNull(config.dir(), "image_cache_dir");
    this.incomplete = dir.resolve("incomplete");
    this.invalid = dir.resolve("invalid");
    this.queue = dir.resolve("queue");
  }

  /** Opens the cache directory and rebuilds the view from it. Blocking: call at start. */
  public static NodeCache open(CacheConfig config, Vertx vertx, Pools pools, Clock clock, MeterRegistry registry)
      throws IOException {
    NodeCache c = new NodeCache(config, vertx, pools, clock);
    c.meters = new CacheMeters(registry, c::totalBytes, c::entryCount, c::fillCount, c::queueDepth);
    c.rebuild();
    c.usableBytes = Files.getFileStore(c.dir).getUsableSpace();
    return c;
  }

  private void rebuild() throws IOException {
    for (Path p : List.of(dir, incomplete, invalid, queue)) {
      Files.createDirectories(p);
    }
    int stale = 0;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(incomplete)) {
      for (Path p : s) {
        Files.deleteIfExists(p);
        stale++;
      }
    }
    List<CacheEntry> found = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        String name = p.getFileName().toString();
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        if (!a.isRegularFile() || name.startsWith(".") || name.equals("cache.db")) {
          continue;
        }
        long mtime = a.lastModifiedTime().toMillis();
        found.add(new CacheEntry(name, a.size(), null, mtime, Math.max(mtime, a.lastAccessTime().toMillis())));
      }
    }
    List<Path> markers = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(queue)) {
      s.forEach(markers::add);
    }
    markers.sort(Comparator.comparing(p -> {
      try {
        return Files.getLastModifiedTime(p);
      } catch (IOException e) {
        return FileTime.fromMillis(0);
      }
    }));
    synchronized (lock) {
      for (CacheEntry e : found) {
        entries.put(e.id, e);
        bytes += e.size;
      }
      for (Path m : markers) {
        String id = m.getFileName().toString();
        if (!entries.containsKey(id)) {
          queued.put(id, new QueueState(id));
        }
      }
    }
    LOG.atInfo().setMessage("node cache ready").addKeyValue("dir", dir).addKeyValue("images", found.size())
        .addKeyValue("bytes", totalBytes()).addKeyValue("queued", queued.size())
        .addKeyValue("stale_incomplete_deleted", stale).log();
  }

  public CacheConfig config() {
    return config;
  }

  CacheMeters meters() {
    return meters;
  }

  long nowMillis() {
    return clock.millis();
  }

  Clock clock() {
    return clock;
  }

  Path cachedPath(String id) {
    return dir.resolve(id);
  }

  Path incompletePath(String id) {
    return incomplete.resolve(id);
  }

  Path invalidPath(String id) {
    return invalid.resolve(id);
  }

  Path queuePath(String id) {
    return queue.resolve(id);
  }

  Path dir() {
    return dir;
  }

  /** Called after every published fill (the pruner's kick). */
  public void afterCommit(Runnable r) {
    afterCommit = r;
  }

  /** Called after an image is queued (the prefetcher's kick). */
  public void afterQueue(Runnable r) {
    afterQueue = r;
  }

  // ---- the download path

  /**
   * Active, with data and a digest to verify it by, and room for it: not larger than
   * {@code image_cache_max_size} (it would only push everything else out and then go itself), and
   * not more than the file system had free above {@code min_free_disk} at the pruner's last look.
   * Downloads of other images are served by the store, uncached.
   */
  @Override
  public boolean takes(Image image) {
    if (image.status() != ImageStatus.ACTIVE || image.size() == null || image.size() <= 0
        || (image.checksum() == null && osHashName(image) == null)) {
      return false;
    }
    if (isCached(image.id())) {
      return true;
    }
    return image.size() <= config.maxSize() && image.size() <= usableBytes - config.minFreeDisk();
  }

  private static String osHashName(Image image) {
    return image.osHashAlgo() == null || image.osHashValue() == null ? null
        : ImagesConfig.HASH_ALGORITHMS.get(image.osHashAlgo());
  }

  @Override
  public Future<Cached> open(Image image, Supplier<Future<ReadStream<Buffer>>> source) {
    Context ctx = vertx.getOrCreateContext();
    String id = image.id();
    CacheEntry hit;
    Fill fill;
    boolean start = false;
    synchronized (lock) {
      hit = entries.get(id);
      if (hit != null && (hit.size != image.size()
          || (hit.checksum != null && image.checksum() != null && !hit.checksum.equals(image.checksum())))) {
        removeEntry(hit);
        deleteFileLater(cachedPath(id));
        meters.evicted("stale");
        hit = null;
      }
      if (hit != null) {
        hit.readers.incrementAndGet();
        fill = null;
      } else {
        fill = fills.get(id);
        if (fill == null) {
          fill = newFill(ctx, image);
          start = true;
        }
      }
    }
    if (hit != null) {
      meters.hit();
      CacheEntry e = hit;
      return pools.blocking(() -> openFile(e)).map(raf -> new Cached(
          new Download.LocalFile(cachedPath(id), raf), complete -> hitEnded(e, raf, complete)))
          .recover(err -> {
            e.readers.decrementAndGet();
            if (!(err instanceof FileNotFoundException)) {
              return Future.failedFuture(err);
            }
            // the file went away under the index (evicted meanwhile, or removed by hand): a miss
            synchronized (lock) {
              if (entries.get(id) == e) {
                removeEntry(e);
                meters.evicted("stale");
              }
            }
            return open(image, source);
          });
    }
    if (start) {
      meters.miss();
      fill.start(source);
    } else {
      meters.joined();
    }
    Fill f = fill;
    return f.started().map(v -> {
      FillReader reader = new FillReader(f, pools, ctx, cachedPath(id));
      return new Cached(new Download.Stream(reader), complete -> {
        reader.close();
        if (complete) {
          meters.servedFromCache(f.size);
        }
      });
    });
  }

  /** A fill of {@code image} into the cache without a client (the prefetcher); joins one in progress. */
  public Future<Void> fill(Image image, Supplier<Future<ReadStream<Buffer>>> source) {
    Fill fill;
    boolean start = false;
    synchronized (lock) {
      if (entries.containsKey(image.id())) {
        return Future.succeededFuture();
      }
      fill = fills.get(image.id());
      if (fill == null) {
        fill = newFill(vertx.getOrCreateContext(), image);
        start = true;
      }
    }
    if (start) {
      fill.start(source);
    }
    return fill.done();
  }

  private Fill newFill(Context ctx, Image image) {
    Fill f = new Fill(this, pools, ctx, image.id(), image.size(), image.checksum(), osHashName(image),
        image.osHashValue(), clock.millis());
    fills.put(image.id(), f);
    return f;
  }

  private RandomAccessFile openFile(CacheEntry e) throws IOException {
    RandomAccessFile raf = new RandomAccessFile(cachedPath(e.id).toFile(), "r");
    if (raf.length() != e.size) {
      raf.close();
      throw new FileNotFoundException("cached file of " + e.id + " is " + raf.length() + " bytes, expected " + e.size);
    }
    return raf;
  }

  private void hitEnded(CacheEntry e, RandomAccessFile raf, boolean complete) {
    e.readers.decrementAndGet();
    long now = clock.millis();
    if (complete) {
      e.hits.incrementAndGet();
      e.lastAccessedMillis = now;
      meters.servedFromCache(e.size);
    }
    pools.blocking(() -> {
      raf.close();
      if (complete) {
        // the access time is the LRU order after a restart: set it, whatever the mount options
        try {
          Files.getFileAttributeView(cachedPath(e.id), BasicFileAttributeView.class)
              .setTimes(null, FileTime.fromMillis(now), null);
        } catch (NoSuchFileException gone) {
          // evicted meanwhile
        }
      }
      return null;
    });
  }

  /** A fill is over: forget it, and index its image if it was published. */
  void fillEnded(Fill f, boolean published) {
    String id = f.id;
    boolean wasQueued;
    synchronized (lock) {
      if (fills.get(id) == f) {
        fills.remove(id);
      }
      if (!published) {
        return;
      }
      long now = clock.millis();
      CacheEntry e = new CacheEntry(id, f.size, null, now, now);
      CacheEntry old = entries.put(id, e);
      if (old != null) {
        bytes -= old.size;
      }
      bytes += e.size;
      wasQueued = queued.remove(id) != null;
    }
    if (wasQueued) {
      deleteFileLater(queuePath(id));
    }
    afterCommit.run();
  }

  private void removeEntry(CacheEntry e) {
    if (entries.remove(e.id) == e) {
      bytes -= e.size;
    }
  }

  private void deleteFileLater(Path p) {
    pools.blocking(() -> Files.deleteIfExists(p));
  }

  // ---- management

  long totalBytes() {
    synchronized (lock) {
      return bytes;
    }
  }

  int entryCount() {
    synchronized (lock) {
      return entries.size();
    }
  }

  int fillCount() {
    synchronized (lock) {
      return fills.size();
    }
  }

  int queueDepth() {
    synchronized (lock) {
      return queued.size();
    }
  }

  /** The cached images, ordered by image id (as Glance's sqlite driver lists them). */
  public List<CachedImage> cached() {
    synchronized (lock) {
      return entries.values().stream().map(CacheEntry::view).sorted(Comparator.comparing(CachedImage::imageId))
          .toList();
    }
  }

  public boolean isCached(String id) {
    synchronized (lock) {
      return entries.containsKey(id);
    }
  }

  /** The queued images, in the order they were queued. */
  public List<QueuedImage> queued() {
    synchronized (lock) {
      return queued.values().stream().map(q -> new QueuedImage(q.id, q.state, q.lastError, q.attempts)).toList();
    }
  }

  public boolean isQueued(String id) {
    synchronized (lock) {
      return queued.containsKey(id);
    }
  }

  /**
   * Removes a cached image at once (deleted image, cache API). A fill in progress of it goes on for
   * its readers but publishes nothing; a download sending the file keeps its open file. Completes
   * with whether anything was cached.
   */
  public Future<Boolean> evict(String id, String reason) {
    CacheEntry e;
    synchronized (lock) {
      e = entries.get(id);
      if (e != null) {
        removeEntry(e);
      }
      Fill f = fills.get(id);
      if (f != null && !"pruned".equals(reason)) {
        f.discard = true;
      }
    }
    if (e == null) {
      return Future.succeededFuture(false);
    }
    meters.evicted(reason);
    LOG.atInfo().setMessage("cache eviction").addKeyValue("image_id", id).addKeyValue("reason", reason)
        .addKeyValue("bytes", e.size).log();
    return pools.blocking(() -> Files.deleteIfExists(cachedPath(id))).map(true);
  }

  /** An image was deleted: it leaves the cache and the queue at once (Glance leaves it cached). */
  public void imageDeleted(String id) {
    evict(id, "deleted");
    dequeue(id);
  }

  /** Removes every cached image; completes with how many there were. */
  public Future<Integer> clearCached() {
    List<String> ids;
    synchronized (lock) {
      ids = new ArrayList<>(entries.keySet());
    }
    List<Future<Boolean>> all = ids.stream().map(id -> evict(id, "cleared")).toList();
    return Future.join(all).map(v -> (int) all.stream().filter(f -> Boolean.TRUE.equals(f.result())).count());
  }

  /** Queues an image for the prefetcher (no-op if cached, filling or queued); from any thread. */
  public Future<Void> queue(String id) {
    synchronized (lock) {
      if (entries.containsKey(id) || queued.containsKey(id)) {
        return Future.succeededFuture();
      }
      queued.put(id, new QueueState(id));
    }
    return pools.blocking(() -> {
      Path marker = queuePath(id);
      if (!Files.exists(marker)) {
        Files.createFile(marker);
      }
      return (Void) null;
    }).onSuccess(v -> afterQueue.run());
  }

  /** Takes an image off the queue; completes with whether it was queued. */
  public Future<Boolean> dequeue(String id) {
    boolean was;
    synchronized (lock) {
      was = queued.remove(id) != null;
    }
    return pools.blocking(() -> Files.deleteIfExists(queuePath(id)) || was);
  }

  public Future<Integer> clearQueued() {
    List<String> ids;
    synchronized (lock) {
      ids = new ArrayList<>(queued.keySet());
    }
    List<Future<Boolean>> all = ids.stream().map(this::dequeue).toList();
    return Future.join(all).map(v -> ids.size());
  }

  /** The queued images the prefetcher may try now, oldest first, marked as being fetched. */
  List<String> takeDue(int max) {
    long now = clock.millis();
    List<String> out = new ArrayList<>();
    synchronized (lock) {
      for (QueueState q : queued.values()) {
        if (out.size() == max) {
          break;
        }
        if (!q.state.equals("fetching") && q.notBeforeMillis <= now) {
          q.state = "fetching";
          q.attempts++;
          out.add(q.id);
        }
      }
    }
    return out;
  }

  /** A prefetch attempt failed: back off exponentially (10 s doubling, at most 10 min). */
  void prefetchFailed(String id, String error) {
    meters.prefetchFailed();
    synchronized (lock) {
      QueueState q = queued.get(id);
      if (q != null) {
        q.state = "retrying";
        q.lastError = error;
        long delay = Math.min(600_000L, 10_000L << Math.min(q.attempts - 1, 6));
        q.notBeforeMillis = clock.millis() + delay;
      }
    }
  }

  /** The earliest time a queued image is due again, or -1 if none is waiting. */
  long nextDueMillis() {
    synchronized (lock) {
      return queued.values().stream().filter(q -> !q.state.equals("fetching")).mapToLong(q -> q.notBeforeMillis)
          .min().orElse(-1);
    }
  }

  // ---- pruning and cleaning

  /**
   * Evicts least recently used images, never one being read or filled, until the cached files are
   * under the low watermark when they reached the high one, and the file system has
   * {@code min_free_disk} free. Counts only the cache's own files (and the fills in progress, which
   * will be files). Blocking parts run on the blocking pool.
   */
  public Future<PruneResult> prune() {
    return pools.blocking(() -> Files.getFileStore(dir).getUsableSpace()).compose(usable -> {
      usableBytes = usable;
      long need = 0;
      List<CacheEntry> candidates;
      synchronized (lock) {
        long total = bytes + fills.values().stream().filter(f -> !f.discard).mapToLong(f -> f.size).sum();
        if (total >= config.highBytes()) {
          need = total - config.lowBytes();
        }
        if (config.minFreeDisk() > 0 && usable < config.minFreeDisk()) {
          need = Math.max(need, config.minFreeDisk() - usable);
        }
        if (need <= 0) {
          return Future.succeededFuture(new PruneResult(0, 0));
        }
        candidates = entries.values().stream().filter(e -> e.readers.get() == 0 && !fills.containsKey(e.id))
            .sorted(Comparator.comparingLong(e -> e.lastAccessedMillis)).toList();
      }
      List<Future<Boolean>> evictions = new ArrayList<>();
      long freed = 0;
      int files = 0;
      for (CacheEntry e : candidates) {
        if (freed >= need) {
          break;
        }
        if (e.readers.get() > 0) {
          continue;
        }
        evictions.add(evict(e.id, "pruned"));
        freed += e.size;
        files++;
      }
      int n = files;
      long b = freed;
      return Future.join(evictions).map(v -> new PruneResult(n, b));
    });
  }

  /**
   * Deletes {@code invalid/}, abandons fills that have written nothing for
   * {@code image_cache_stall_time}, and deletes {@code incomplete/} files that no fill owns.
   * Completes with how many files it deleted.
   */
  public Future<Integer> clean() {
    long now = clock.millis();
    long stall = config.stallTime().toMillis();
    List<Fill> live;
    synchronized (lock) {
      live = new ArrayList<>(fills.values());
    }
    for (Fill f : live) {
      f.abandonIfStalled(now, stall);
    }
    return pools.blocking(() -> {
      int n = 0;
      try (DirectoryStream<Path> s = Files.newDirectoryStream(invalid)) {
        for (Path p : s) {
          n += Files.deleteIfExists(p) ? 1 : 0;
        }
      }
      try (DirectoryStream<Path> s = Files.newDirectoryStream(incomplete)) {
        for (Path p : s) {
          boolean owned;
          synchronized (lock) {
            owned = fills.containsKey(p.getFileName().toString());
          }
          if (!owned) {
            n += Files.deleteIfExists(p) ? 1 : 0;
          }
        }
      }
      return n;
    });
  }

  /** The ids of the cached images (for the cleaner's check against the database). */
  List<String> cachedIds() {
    synchronized (lock) {
      return new ArrayList<>(entries.keySet());
    }
  }
}
