package io.imago.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} must do, run against each implementation (STYLE.md §3.5): a blob is
 * invisible until commit, cancel leaves nothing, ranges, empty blobs, idempotent delete, missing
 * blobs are {@link BlobNotFoundException}.
 */
abstract class BlobStoreContract {
  protected abstract Vertx vertx();

  protected abstract BlobStore store();

  @Test
  void committedBlobReadsBackWholeAndInRanges() {
    byte[] data = random(300_000, 1);
    write("k1", data);
    assertThat(call(() -> store().stat("k1")).size()).isEqualTo(data.length);
    assertThat(read("k1", ByteRange.ALL)).isEqualTo(data);
    assertThat(read("k1", new ByteRange(1000, 10))).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 1010));
    assertThat(read("k1", new ByteRange(data.length - 1, 1))).containsExactly(data[data.length - 1]);
  }

  @Test
  void uncommittedBlobIsInvisibleAndCancelLeavesNothing() {
    BlobWriter w = call(() -> store().create("k2"));
    call(() -> w.write(Buffer.buffer(random(1000, 2))));
    assertMissing("k2");
    call(w::cancel);
    call(w::cancel); // idempotent
    assertMissing("k2");
  }

  @Test
  void emptyBlobIsABlob() {
    write("k3", new byte[0]);
    assertThat(call(() -> store().stat("k3")).size()).isZero();
    assertThat(read("k3", ByteRange.ALL)).isEmpty();
  }

  @Test
  void deleteIsIdempotentAndMakesTheBlobMissing() {
    write("k4", random(10, 3));
    call(() -> store().delete("k4"));
    call(() -> store().delete("k4"));
    assertMissing("k4");
  }

  @Test
  void concurrentReadersSeeTheSameBytes() {
    byte[] data = random(500_000, 4);
    write("k5", data);
    List<Future<byte[]>> reads = new ArrayList<>();
    Promise<List<byte[]>> all = Promise.promise();
    vertx().runOnContext(v -> {
      for (int i = 0; i < 8; i++) {
        reads.add(readAsync("k5", ByteRange.ALL));
      }
      Future.all(reads).map(x -> reads.stream().map(Future::result).toList()).onComplete(all);
    });
    for (byte[] r : all.future().await()) {
      assertThat(r).isEqualTo(data);
    }
  }

  @Test
  void listShowsCommittedBlobsWithSizeAndNotWritesInProgress() {
    write("k7", random(1234, 7));
    BlobWriter w = call(() -> store().create("k8"));
    call(() -> w.write(Buffer.buffer(random(100, 8))));
    java.util.Map<String, StoredBlob> listed = new java.util.HashMap<>();
    call(() -> store().list()).forEach(b -> listed.put(b.key(), b));
    assertThat(listed).containsKey("k7").doesNotContainKey("k8");
    assertThat(listed.get("k7").size()).isEqualTo(1234);
    assertThat(listed.get("k7").modified()).isBefore(java.time.Instant.now().plusSeconds(5));
    call(w::cancel);
  }

  @Test
  void aCommitAfterCancelFailsAndPublishesNothing() {
    BlobWriter w = call(() -> store().create("k6"));
    call(() -> w.write(Buffer.buffer(random(100, 6))));
    call(w::cancel);
    assertThatThrownBy(() -> call(w::commit)).isInstanceOf(CompletionException.class);
    assertMissing("k6");
  }

  @Test
  void keysThatCouldEscapeAreRefused() {
    for (String bad : new String[] {"../x", "a/b", ".hidden", "", "x".repeat(201)}) {
      assertThatThrownBy(() -> store().create(bad).await()).isInstanceOf(IllegalArgumentException.class);
    }
  }

  protected void write(String key, byte[] data) {
    BlobWriter w = call(() -> store().create(key));
    for (int off = 0; off < data.length; off += 65_536) {
      int n = Math.min(65_536, data.length - off);
      byte[] chunk = java.util.Arrays.copyOfRange(data, off, off + n);
      call(() -> w.write(Buffer.buffer(chunk)));
    }
    BlobLocation at = call(w::commit);
    assertThat(at).isEqualTo(new BlobLocation(store().id(), key, data.length));
    assertThat(w.bytesWritten()).isEqualTo(data.length);
  }

  protected byte[] read(String key, ByteRange range) {
    return call(() -> readAsync(key, range));
  }

  private Future<byte[]> readAsync(String key, ByteRange range) {
    return store().read(key, range).compose(rs -> {
      Promise<byte[]> p = Promise.promise();
      Buffer acc = Buffer.buffer();
      rs.handler(acc::appendBuffer);
      rs.exceptionHandler(p::tryFail);
      rs.endHandler(v -> p.tryComplete(acc.getBytes()));
      rs.resume();
      return p.future();
    });
  }

  protected void assertMissing(String key) {
    assertThatThrownBy(() -> call(() -> store().stat(key))).hasRootCauseInstanceOf(BlobNotFoundException.class);
    assertThatThrownBy(() -> call(() -> store().read(key, ByteRange.ALL)))
        .hasRootCauseInstanceOf(BlobNotFoundException.class);
  }

  /** Runs {@code f} on a Vert.x context (stores expect one) and waits for it. */
  protected <T> T call(Supplier<Future<T>> f) {
    Promise<T> p = Promise.promise();
    vertx().runOnContext(v -> f.get().onComplete(p));
    try {
      return p.future().await();
    } catch (CompletionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CompletionException(e);
    }
  }

  protected static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
