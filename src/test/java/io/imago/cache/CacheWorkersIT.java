package io.imago.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11, step 2: the cache keeps itself within bounds with no one asking. The pruner worker runs
 * after every fill (and every second here): at image_cache_max_size it evicts least recently used
 * images down to the low watermark. The cleaner worker empties invalid/, deletes orphaned
 * incomplete/ files and drops images deleted through another node.
 */
class CacheWorkersIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("cache.image_cache_dir", "cache")
      .with("cache.image_cache_max_size", "4MiB").with("cache.prune_low_watermark", "75")
      .with("cache.min_free_disk", "0").with("cache.prune_interval", "1s").with("cache.clean_interval", "1s");

  private final Http http = server.http();

  private static NodeCache cache() {
    return server.app().cache();
  }

  private String cachedImage(int seed) {
    String id = Fixtures.activeImage(http, Fixtures.bytes(1 << 20, seed));
    http.get("/v2/images/" + id + "/file").expect(200);
    Await.until("cached", () -> cache().isCached(id));
    return id;
  }

  @Test
  void thePrunerKeepsTheCacheUnderItsSizeByItselfLeastRecentlyUsedFirst() throws Exception {
    String one = cachedImage(1);
    String two = cachedImage(2);
    String three = cachedImage(3);
    Thread.sleep(20);
    http.get("/v2/images/" + one + "/file").expect(200); // a hit: now two is the least recently used
    Thread.sleep(20);
    String four = cachedImage(4); // 4 MiB: at the high watermark
    Await.until("the pruner evicted one image", () -> cache().totalBytes() <= 3 << 20);
    assertThat(cache().isCached(two)).isFalse();
    assertThat(cache().isCached(one)).isTrue();
    assertThat(cache().isCached(three)).isTrue();
    assertThat(cache().isCached(four)).isTrue();
    assertThat(Files.exists(server.dataDir().resolve("cache").resolve(two))).isFalse();
    assertThat(CacheIT.metric(http, "imago_cache_evictions_total", "reason=\"pruned\"")).isGreaterThanOrEqualTo(1);
    // clean up for the other test
    cache().clearCached().await();
  }

  @Test
  void theCleanerEmptiesInvalidAndOrphanedIncompleteFilesAndDropsImagesDeletedElsewhere() throws Exception {
    Path dir = server.dataDir().resolve("cache");
    Files.write(dir.resolve("invalid").resolve("11111111-0000-0000-0000-000000000000"), new byte[100]);
    Files.write(dir.resolve("incomplete").resolve("22222222-0000-0000-0000-000000000000"), new byte[100]);
    String id = cachedImage(9);
    // deleted through another node: the database row goes, this node's hook does not run
    server.app().images().delete(id).await();
    Await.until("the cleaner ran", () -> !Files.exists(dir.resolve("invalid").resolve("11111111-0000-0000-0000-000000000000"))
        && !Files.exists(dir.resolve("incomplete").resolve("22222222-0000-0000-0000-000000000000"))
        && !cache().isCached(id));
    Await.until("the deleted image's file is gone", () -> !Files.exists(dir.resolve(id)));
  }
}
