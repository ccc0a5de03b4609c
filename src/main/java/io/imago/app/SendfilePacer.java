package io.imago.app;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Sends at most one file region of a download per turn of the event loop, as nginx bounds each
 * connection's turn with {@code sendfile_max_chunk}. Vert.x sends a file as regions of 1 MiB and
 * writes the next region from the completion of the previous one; this handler lets the first
 * region of a turn through and holds the next one until the loop's next turn.
 *
 * <p>Why: without it a download that the client drains fast (loopback, a LAN with large windows)
 * keeps writing region after region inside one flush, and when Netty's write-spin quantum runs out
 * it re-queues the flush as a task, which the same task-running phase picks up again (Netty runs
 * tasks for up to 1 s before it polls its sockets again). The loop reads no new request and no
 * database reply until every stream on it has filled its client's receive window, several MiB each
 * (one turn was measured at 163 {@code sendfile} calls, 126 MiB, 38 ms). With 16 downloads running,
 * a new download waited p50 64–84 ms for its first byte (nginx 21–23 ms); paced, 12–14 ms. Lowering
 * {@code writeSpinCount} makes it worse (p50 200–640 ms): more re-queued flushes, the same phase.
 *
 * <p>The held region goes out in a task scheduled 1 ns ahead: Netty moves due scheduled tasks to
 * its task queue once per turn, before it runs the queue, so such a task waits for the next turn,
 * after the next poll of the sockets (which does not block while a scheduled task is due).
 * Anything written after a held region waits behind it, so the bytes keep their order. What is
 * still held when the channel goes away is released and its write failed.
 */
final class SendfilePacer extends ChannelOutboundHandlerAdapter {
  static final String NAME = "imago-sendfile-pacer";

  private record Pending(Object msg, ChannelPromise promise) {}

  private final ArrayDeque<Pending> held = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  /** A region went to the socket in this turn of the event loop; cleared by {@link #nextTurn}. */
  private boolean sentThisTurn;
  private boolean scheduled;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean region = msg instanceof FileRegion;
    if (held.isEmpty() && !(region && sentThisTurn)) {
      if (region) {
        sentThisTurn = true;
        scheduleNextTurn();
      }
      ctx.write(msg, promise);
      return;
    }
    held.add(new Pending(msg, promise));
    scheduleNextTurn();
  }

  private void scheduleNextTurn() {
    if (!scheduled) {
      scheduled = true;
      ctx.executor().schedule(this::nextTurn, 1, TimeUnit.NANOSECONDS);
    }
  }

  /** The loop's next turn: the first held region, and what was written after it up to the next region. */
  private void nextTurn() {
    scheduled = false;
    sentThisTurn = false;
    if (held.isEmpty()) {
      return;
    }
    while (!held.isEmpty()) {
      Pending p = held.peek();
      if (p.msg() instanceof FileRegion) {
        if (sentThisTurn) {
          break;
        }
        sentThisTurn = true;
      }
      held.poll();
      ctx.write(p.msg(), p.promise());
    }
    scheduleNextTurn();
    ctx.flush();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    Pending p;
    while ((p = held.poll()) != null) {
      ReferenceCountUtil.release(p.msg());
      if (!p.promise().isVoid()) {
        p.promise().tryFailure(new ClosedChannelException());
      }
    }
  }
}
