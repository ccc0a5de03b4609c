package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.config.WorkerConfig;
import io.imago.store.file.FileBlobStore;
import io.imago.worker.Pools;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the file store, plus what only a local store does: files and cleanup. */
class FileBlobStoreTest extends BlobStoreContract {
  @TempDir
  Path dir;

  private Vertx vertx;
  private Pools pools;
  private FileBlobStore store;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    pools = new Pools(vertx, new WorkerConfig(1, 4, 2));
    store = FileBlobStore.open(vertx, pools, "file", dir, "node-a");
  }

  @AfterEach
  void close() {
    pools.close();
    vertx.close().await();
  }

  @Override
  protected Vertx vertx() {
    return vertx;
  }

  @Override
  protected BlobStore store() {
    return store;
  }

  @Test
  void committedBlobIsAFileNamedByItsKeyWithNothingLeftInIncomplete() throws Exception {
    write("img", random(1234, 9));
    assertThat(dir.resolve("img")).hasSize(1234);
    assertThat(call(() -> store.localFile("img"))).contains(dir.resolve("img"));
    try (var s = Files.list(dir.resolve("incomplete"))) {
      assertThat(s).isEmpty();
    }
    assertThat(store.url("img")).isEqualTo("file://" + dir.resolve("img"));
  }

  @Test
  void cleanIncompleteRemovesOnlyThisNodesPartialFiles() throws Exception {
    BlobWriter w = call(() -> store.create("partial"));
    call(() -> w.write(Buffer.buffer(random(100, 1))));
    Path other = Files.writeString(dir.resolve("incomplete").resolve("node-b.partial.x"), "theirs");
    assertThat(call(store::cleanIncomplete)).isEqualTo(1);
    try (var s = Files.list(dir.resolve("incomplete"))) {
      assertThat(s).containsExactly(other);
    }
  }
}
