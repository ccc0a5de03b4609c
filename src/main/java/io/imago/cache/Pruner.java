package io.imago.cache;

import io.imago.worker.Job;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the cache within bounds by itself (Glance prunes only when asked): a {@link Job} run every
 * {@code cache.prune_interval} and after every published fill ({@link NodeCache#prune}).
 */
public final class Pruner implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);
  private final NodeCache cache;

  public Pruner(NodeCache cache) {
    this.cache = cache;
  }

  @Override
  public String name() {
    return "cache-pruner";
  }

  @Override
  public Future<PruneResult> run() {
    return cache.prune().onSuccess(r -> {
      if (r.files() > 0) {
        LOG.atInfo().setMessage("cache pruned").addKeyValue("files", r.files()).addKeyValue("bytes", r.bytes())
            .addKeyValue("cache_bytes", cache.totalBytes()).log();
      }
    });
  }
}
