package io.imago.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's guard ({@link Connections}): the first handler of its pipeline, from
 * accept on, and — once Vert.x has set up HTTP/1.x — an observer between Netty's HTTP codec and
 * Vert.x, which sees request heads and bodies as parsed and responses as really written.
 *
 * <p>It knows which phase the connection is in, for the timeouts and for the choice of a
 * connection to close at the cap: waiting for a request head (header timeout, from accept or from
 * the first byte of a later request), busy with a request (body timeout while the body is being
 * read and stalls; none once the body is in; the send timeout while a response is being written and
 * the client stops reading it), idle between requests (idle timeout). HTTP/2
 * connections only get the idle timeout, counted from their last byte in either direction.
 *
 * <p>A request body whose chunked framing is broken (bad or negative size, overflow, a missing
 * CRLF, an over-long chunk extension or trailer: Netty's decoder marks the content as failed) is
 * answered here with Glance's 400 and the connection closed, logged once at INFO; Vert.x would
 * otherwise close the connection without a word and fail the request as if it were a server error.
 * The request itself then ends as a client hang-up (an upload goes back to {@code queued}).
 *
 * <p>The state is written on the connection's event loop and read by the sweep and the acceptor
 * on other threads, hence the volatile fields; a stale read only delays a timeout by one sweep.
 */
public final class ConnectionGuard extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  static final String NAME = "imago-connection-guard";
  static final String OBSERVER = "imago-http-observer";

  enum Phase { HEAD, BUSY, IDLE, HTTP2 }

  /** What one request/response exchange really put on the wire. */
  public static final class Exchange {
    volatile int status;
    volatile long bodyBytes;
    volatile boolean complete;
    volatile boolean byGuard;
    volatile String requestId;
    volatile String error;

    /** The status line's code really sent, 0 when no response head went out. */
    public int status() {
      return status;
    }

    /** Body bytes the socket took (for a file, the bytes the kernel sent). */
    public long bodyBytes() {
      return bodyBytes;
    }

    /** Whether the response went out whole. */
    public boolean complete() {
      return complete;
    }

    /** Why the connection answered or closed on its own (a framing error), or null. */
    public String error() {
      return error;
    }
  }

  private final Channel channel;
  private final Connections owner;
  private volatile Phase phase = Phase.HEAD;
  /** When the current phase's clock started (accept, first byte of a head, end of the last response). */
  private volatile long since;
  private volatile long lastActivity;
  private volatile boolean requestEnded;
  private volatile boolean closedFlag;
  private volatile boolean refused;
  private volatile Exchange current = new Exchange();
  private volatile ChannelHandlerContext observerContext;
  private int inFlight;
  private String accept;
  /** Response writes handed to the socket and not yet complete (written on the event loop). */
  private volatile int pendingWrites;
  /** When the response last made progress: a write completed, or the file region in flight moved. */
  private volatile long lastSendProgress;
  /** The file region being sent (a download), whose byte count shows progress within one region. */
  private volatile FileRegion sending;
  private long sendingSeen = -1; // the sweep's own: what sending.transferred() was last time
  private volatile boolean sendTimedOut;

  ConnectionGuard(Channel channel, Connections owner) {
    this.channel = channel;
    this.owner = owner;
    this.since = System.nanoTime();
    this.lastActivity = since;
  }

  /** The guard of {@code connection}, or null (a connection not accepted through {@link Connections}). */
  public static ConnectionGuard of(HttpConnection connection) {
    if (connection instanceof ConnectionBase c) {
      return c.channel().pipeline().get(ConnectionGuard.class);
    }
    return null;
  }

  /** The exchange {@code req} belongs to (the connection's current one), or null. */
  public static Exchange exchange(HttpServerRequest req) {
    ConnectionGuard g = of(req.connection());
    return g == null ? null : g.current;
  }

  /** Records the request id of the exchange in progress, for the guard's own log lines. */
  static void requestId(HttpServerRequest req, String id) {
    Exchange e = exchange(req);
    if (e != null) {
      e.requestId = id;
    }
  }

  /**
   * Called by the HTTP server's connection handler once Vert.x has chosen the protocol: for
   * HTTP/1.x the observer goes between the codec and Vert.x's handler; HTTP/2 connections are
   * only timed for idleness.
   */
  public static void attach(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase c)) {
      return;
    }
    ChannelPipeline p = c.channel().pipeline();
    ConnectionGuard g = p.get(ConnectionGuard.class);
    if (g == null) {
      return;
    }
    if (connection instanceof io.vertx.core.http.impl.Http2ServerConnection) {
      g.phase = Phase.HTTP2;
      g.lastActivity = System.nanoTime();
    } else if (p.get(OBSERVER) == null && p.get("handler") != null) {
      p.addBefore("handler", OBSERVER, g.new Observer());
    }
  }

  /**
   * Runs {@code action} on the connection's event loop when it closes (at once if it is closed);
   * returns what stops watching. For what must be released whichever way a response ends.
   */
  public static Runnable onClose(HttpConnection connection, Runnable action) {
    if (!(connection instanceof ConnectionBase c)) {
      return () -> { };
    }
    io.netty.util.concurrent.GenericFutureListener<io.netty.util.concurrent.Future<? super Void>> l = f -> action.run();
    io.netty.channel.ChannelFuture closed = c.channel().closeFuture();
    closed.addListener(l);
    return () -> closed.removeListener(l);
  }

  boolean isClosed() {
    return closedFlag;
  }

  void closed() {
    closedFlag = true;
  }

  /** At the cap: this connection is answered 503 and closed as soon as it is active. */
  void refuse() {
    refused = true; // before the channel is registered: channelActive follows
  }

  /** Closes this connection to make room, if it has no request in progress. */
  boolean evict() {
    Phase p = phase;
    if (p == Phase.HEAD || p == Phase.IDLE) {
      close("evicted");
      return true;
    }
    return false;
  }

  /** The sweep: closes the connection when its phase's time is up. */
  void check(long now) {
    switch (phase) {
      case HEAD -> {
        if (owner.headerTimeoutNanos > 0 && now - since > owner.headerTimeoutNanos) {
          close("header_timeout");
        }
      }
      case IDLE -> {
        if (owner.idleTimeoutNanos > 0 && now - since > owner.idleTimeoutNanos) {
          close("idle_timeout");
        }
      }
      case HTTP2 -> {
        if (owner.idleTimeoutNanos > 0 && now - lastActivity > owner.idleTimeoutNanos) {
          close("idle_timeout");
        }
      }
      case BUSY -> {
        if (pendingWrites > 0 && owner.sendTimeoutNanos > 0) {
          checkSend(now);
          return;
        }
        if (requestEnded || owner.bodyTimeoutNanos <= 0) {
          return;
        }
        if (!channel.config().isAutoRead()) {
          // Imago is not reading (back-pressure, or work before the body is wanted): not the client's stall
          lastActivity = now;
        } else if (now - lastActivity > owner.bodyTimeoutNanos) {
          Exchange e = current;
          LOG.atInfo().setMessage("closing a connection whose request body stalled")
              .addKeyValue("request_id", e.requestId).addKeyValue("remote", remote())
              .addKeyValue("timeout_ms", owner.bodyTimeoutNanos / 1_000_000).log();
          e.error = "request body stalled";
          owner.metrics.connectionClosed("body_timeout");
          channel.eventLoop().execute(this::requestTimeout);
        }
      }
      default -> { }
    }
  }

  /**
   * A response is being written: progress is a completed write (a download writes 1 MiB file
   * regions, so a client must take at least 1 MiB per {@code send_timeout}: 17 KiB/s at the default
   * 60 s) or a region's transferred count moving, where the transport reports it. None for
   * {@code send_timeout}: the client stopped reading; the connection is closed (its download ends
   * as a hang-up and releases its file). As nginx's {@code send_timeout}, between two writes.
   */
  private void checkSend(long now) {
    if (sendTimedOut || !channel.isOpen()) {
      return;
    }
    FileRegion r = sending;
    long seen = r == null ? -1 : r.transferred();
    if (seen != sendingSeen) {
      sendingSeen = seen;
      lastSendProgress = now;
      return;
    }
    if (now - lastSendProgress > owner.sendTimeoutNanos) {
      LOG.atInfo().setMessage("closing a connection whose client stopped reading the response")
          .addKeyValue("request_id", current.requestId).addKeyValue("remote", remote())
          .addKeyValue("timeout_ms", owner.sendTimeoutNanos / 1_000_000).log();
      current.error = "client stopped reading";
      sendTimedOut = true;
      owner.metrics.connectionClosed("send_timeout");
      // on the connection's loop, past the pipeline: Vert.x queues a pipeline close behind the
      // connection's pending writes, and this one is never taken (seen: closed only when the client left)
      channel.eventLoop().execute(() -> channel.unsafe().close(channel.voidPromise()));
    }
  }

  /** The body stalled: Glance's 408 if no response has started (as nginx answers), then the close. */
  private void requestTimeout() {
    ChannelHandlerContext ctx = observerContext;
    Exchange e = current;
    if (ctx == null || e.status != 0 || !channel.isActive()) {
      channel.close();
      return;
    }
    answerAndClose(ctx, e, HttpResponseStatus.REQUEST_TIMEOUT,
        "The request body did not arrive in time: no data for " + owner.bodyTimeoutNanos / 1_000_000_000 + " s.");
  }

  /** Writes a Glance error response past Vert.x (its response object is not involved), then closes. */
  private void answerAndClose(ChannelHandlerContext ctx, Exchange e, HttpResponseStatus status, String message) {
    ErrorMapper.Body body = ErrorMapper.render(accept, status, message);
    byte[] text = body.text().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(text));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, body.contentType())
        .set(HttpHeaderNames.CONTENT_LENGTH, text.length)
        .set(HttpHeaderNames.CONNECTION, "close");
    if (e.requestId != null) {
      resp.headers().set(RequestIds.HEADER, e.requestId);
    }
    e.status = status.code();
    e.byGuard = true;
    ctx.writeAndFlush(resp).addListener(f -> {
      if (f.isSuccess()) {
        e.bodyBytes = text.length;
        e.complete = true;
      }
      ctx.channel().close();
    });
  }

  private void close(String reason) {
    if (!closedFlag && channel.isOpen()) {
      owner.metrics.connectionClosed(reason);
      LOG.atDebug().setMessage("closing a connection").addKeyValue("reason", reason).addKeyValue("remote", remote())
          .log();
      channel.close();
    }
  }

  private String remote() {
    return channel.remoteAddress() == null ? null : channel.remoteAddress().toString();
  }

  // ---- the raw side: first in the pipeline ----

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (refused) {
      sendRefusal(ctx);
    }
    super.channelActive(ctx);
  }

  private static void sendRefusal(ChannelHandlerContext ctx) {
    String body = "503 Service Unavailable\n\nThe server has too many connections open. Please try again later.\n";
    byte[] b = body.getBytes(StandardCharsets.US_ASCII);
    String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=UTF-8\r\nRetry-After: 1\r\n"
        + "Connection: close\r\nContent-Length: " + b.length + "\r\n\r\n";
    ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    long now = System.nanoTime();
    lastActivity = now;
    if (phase == Phase.IDLE) {
      phase = Phase.HEAD; // the first byte of the next request: its head must be complete in time
      since = now;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (phase == Phase.HTTP2) {
      lastActivity = System.nanoTime();
    }
    ctx.write(msg, promise);
  }

  // ---- the HTTP/1.x side: between the codec and Vert.x ----

  private final class Observer extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      observerContext = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest req) {
        inFlight++;
        Exchange e = new Exchange();
        current = e;
        accept = req.headers().get(HttpHeaderNames.ACCEPT);
        requestEnded = false;
        phase = Phase.BUSY;
        lastActivity = System.nanoTime();
      }
      if (msg instanceof HttpContent content) {
        if (content.decoderResult().isFailure()) {
          malformedBody(ctx, content);
          return;
        }
        if (content instanceof LastHttpContent) {
          requestEnded = true;
          maybeIdle();
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      Exchange e = current;
      boolean last = false;
      if (msg instanceof HttpResponse resp) {
        if (resp.status().code() < 200) { // 100 Continue and other interim responses
          ctx.write(msg, promise);
          return;
        }
        e.status = resp.status().code();
      }
      long bytes = 0;
      if (msg instanceof HttpContent c) {
        bytes = c.content().readableBytes();
        last = msg instanceof LastHttpContent;
      } else if (msg instanceof ByteBuf b) {
        bytes = b.readableBytes();
      } else if (msg instanceof ByteBufHolder h) {
        bytes = h.content().readableBytes();
      }
      FileRegion region = msg instanceof FileRegion r ? r : null;
      long counted = bytes;
      boolean isLast = last;
      if (counted > 0 || region != null || isLast) {
        promise = promise.unvoid();
        if (pendingWrites++ == 0) {
          lastSendProgress = System.nanoTime(); // the send clock starts with the first write waiting
        }
        if (region != null) {
          sending = region;
        }
        promise.addListener(f -> {
          pendingWrites = Math.max(0, pendingWrites - 1);
          lastSendProgress = System.nanoTime();
          if (sending == region) {
            sending = null;
          }
          if (region != null) {
            e.bodyBytes += region.transferred();
          } else if (f.isSuccess()) {
            e.bodyBytes += counted;
          }
          if (isLast && f.isSuccess()) {
            e.complete = true;
            inFlight = Math.max(0, inFlight - 1);
            maybeIdle();
          }
        });
      }
      ctx.write(msg, promise);
    }

    private void maybeIdle() {
      if (inFlight == 0 && requestEnded && phase == Phase.BUSY) {
        phase = Phase.IDLE;
        since = System.nanoTime();
      }
    }

    /** Glance's 400 and a close, unless a response is already under way (then only the close). */
    private void malformedBody(ChannelHandlerContext ctx, HttpContent content) {
      Throwable cause = content.decoderResult().cause();
      ReferenceCountUtil.release(content);
      Exchange e = current;
      String reason = cause == null ? "malformed" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
      e.error = "malformed request body: " + reason;
      requestEnded = true;
      LOG.atInfo().setMessage("malformed request body: answering 400 and closing the connection")
          .addKeyValue("request_id", e.requestId).addKeyValue("remote", remote()).addKeyValue("reason", reason).log();
      owner.metrics.connectionClosed("malformed_body");
      if (e.status != 0) {
        ctx.close();
        return;
      }
      answerAndClose(ctx, e, HttpResponseStatus.BAD_REQUEST,
          "The request body is malformed: its chunked transfer coding is invalid.");
    }
  }
}
