package io.imago.cache;

import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.worker.Job;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache's housekeeping, a {@link Job} run every {@code cache.clean_interval} (and by
 * {@code POST /v2/cache/clean}): failed fills ({@code invalid/}), stalled fills and orphaned
 * {@code incomplete/} files ({@link NodeCache#clean}), and cached images whose image is gone from
 * the database (deleted through another node: Glance deletes such a file on its next hit).
 */
public final class Cleaner implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);
  private final NodeCache cache;
  private final Function<String, Future<Optional<Image>>> images;

  /** @param images finds an image by id (any status), or null to skip the database check */
  public Cleaner(NodeCache cache, Function<String, Future<Optional<Image>>> images) {
    this.cache = cache;
    this.images = images;
  }

  @Override
  public String name() {
    return "cache-cleaner";
  }

  @Override
  public Future<Integer> run() {
    return cache.clean().compose(files -> staleEntries().map(stale -> {
      if (files + stale > 0) {
        LOG.atInfo().setMessage("cache cleaned").addKeyValue("files", files).addKeyValue("stale_images", stale).log();
      }
      return files + stale;
    }));
  }

  private Future<Integer> staleEntries() {
    if (images == null) {
      return Future.succeededFuture(0);
    }
    List<Future<Boolean>> checks = new ArrayList<>();
    for (String id : cache.cachedIds()) {
      checks.add(images.apply(id).compose(found -> found.isPresent() && found.get().status() != ImageStatus.DELETED
          ? Future.succeededFuture(false) : cache.evict(id, "stale")).otherwise(false));
    }
    return Future.join(checks).map(v -> (int) checks.stream().filter(f -> Boolean.TRUE.equals(f.result())).count())
        .otherwise(0);
  }
}
