package io.imago.data;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One tap of one upload, fed in order on the hashing pool. Batches queue up here and one task at a
 * time drains the queue, so the hashing thread goes from batch to batch without waiting for the
 * event loop; it only reports each finished batch to the upload's context (for back-pressure). At
 * most one task per lane is ever queued in the pool, so the pool's queue is bounded by the number
 * of lanes. The tap's result is computed on the lane too, after its last batch: a signature check
 * at the end of an upload does not run on the event loop either.
 */
final class TapLane<R> {
  /** Queued after the last batch: compute the result. */
  private static final ByteBuffer[] END = new ByteBuffer[0];

  private final Executor pool;
  private final Context context;
  private final Tap<R> tap;
  private final Runnable onBatchDone;
  private final Queue<ByteBuffer[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Throwable failure;
  private R result;
  // touched on the upload's context only
  private Promise<R> finished;

  TapLane(Executor pool, Context context, Tap<R> tap, Runnable onBatchDone) {
    this.pool = pool;
    this.context = context;
    this.tap = tap;
    this.onBatchDone = onBatchDone;
  }

  /** Queues a batch (its buffers must not change until it is done). Call on the upload's context. */
  void submit(ByteBuffer[] batch) {
    queue.add(batch);
    schedule();
  }

  /** The tap's result once every submitted batch has been seen. Call on the upload's context, once. */
  Future<R> finish() {
    finished = Promise.promise();
    queue.add(END);
    schedule();
    return finished.future();
  }

  Throwable failure() {
    return failure;
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        pool.execute(this::drain);
      } catch (RuntimeException | Error e) { // pool shut down, or anything else: never lose a batch silently
        scheduled.set(false);
        failure = e;
        context.runOnContext(v -> abandon());
      }
    }
  }

  private void drain() {
    do {
      ByteBuffer[] batch;
      while ((batch = queue.poll()) != null) {
        if (batch == END) {
          end();
          continue;
        }
        if (failure == null) {
          try {
            for (ByteBuffer b : batch) {
              tap.accept(b.duplicate());
            }
          } catch (RuntimeException e) {
            failure = e;
          }
        }
        context.runOnContext(v -> onBatchDone.run());
      }
      scheduled.set(false);
      // a batch queued after the poll above but before the flag was cleared needs a drainer
    } while (!queue.isEmpty() && scheduled.compareAndSet(false, true));
  }

  private void end() {
    if (failure == null) {
      try {
        result = tap.result();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    // runOnContext publishes the result (and every update before it) to the upload's context
    context.runOnContext(v -> complete());
  }

  /** The pool refused work: report what is queued as done (the lane has failed), and finish. */
  private void abandon() {
    ByteBuffer[] batch;
    while ((batch = queue.poll()) != null) {
      if (batch == END) {
        complete();
      } else {
        onBatchDone.run();
      }
    }
  }

  private void complete() {
    if (failure != null) {
      finished.tryFail(failure);
    } else {
      finished.tryComplete(result);
    }
  }
}
