package io.imago.data;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One digest of one upload, fed in order on the hashing pool. Batches queue up here and one task
 * at a time drains the queue, so the hashing thread goes from batch to batch without waiting for
 * the event loop; it only reports each finished batch to the upload's context (for back-pressure).
 * At most one task per lane is ever queued in the pool, so the pool's queue is bounded by the
 * number of lanes.
 */
final class DigestLane {
  private final Executor pool;
  private final Context context;
  private final MessageDigest digest;
  private final Runnable onBatchDone;
  private final Queue<ByteBuffer[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Throwable failure;
  // touched on the upload's context only
  private long submitted;
  private long done;
  private Promise<byte[]> finished;

  DigestLane(Executor pool, Context context, MessageDigest digest, Runnable onBatchDone) {
    this.pool = pool;
    this.context = context;
    this.digest = digest;
    this.onBatchDone = onBatchDone;
  }

  /** Queues a batch (its buffers must not change until it is done). Call on the upload's context. */
  void submit(ByteBuffer[] batch) {
    submitted++;
    queue.add(batch);
    schedule();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        pool.execute(this::drain);
      } catch (RuntimeException | Error e) { // pool shut down, or anything else: never lose a batch silently
        scheduled.set(false);
        failure = e;
        context.runOnContext(v -> batchDone());
      }
    }
  }

  private void drain() {
    do {
      ByteBuffer[] batch;
      while ((batch = queue.poll()) != null) {
        if (failure == null) {
          try {
            for (ByteBuffer b : batch) {
              digest.update(b.duplicate());
            }
          } catch (RuntimeException e) {
            failure = e;
          }
        }
        context.runOnContext(v -> batchDone());
      }
      scheduled.set(false);
      // a batch queued after the poll above but before the flag was cleared needs a drainer
    } while (!queue.isEmpty() && scheduled.compareAndSet(false, true));
  }

  private void batchDone() {
    done++;
    onBatchDone.run();
    if (finished != null && done == submitted) {
      complete();
    }
  }

  /** The digest's value once every submitted batch is hashed. Call on the upload's context, once. */
  Future<byte[]> finish() {
    finished = Promise.promise();
    if (done == submitted) {
      complete();
    }
    return finished.future();
  }

  private void complete() {
    if (failure != null) {
      finished.tryFail(failure);
    } else {
      // happens-after every update: each batch's completion was published through the context
      finished.tryComplete(digest.digest());
    }
  }

  Throwable failure() {
    return failure;
  }
}
