package io.imago.api;

import io.imago.config.HttpConfig;
import io.imago.metrics.Metrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServerOptions;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's client connections, from the moment the kernel hands one over: the cap
 * ({@code http.max_connections}), the header, idle and body timeouts, and what each connection
 * really sent (for the access log). Every accepted connection gets a {@link ConnectionGuard} as the
 * first handler of its pipeline, before Vert.x sees it; the server channel's handler that does this
 * is installed by {@link GuardedTransport}, the only hook Vert.x 5.0 offers at accept time.
 *
 * <p>At the cap a new connection makes room by closing the oldest connection that has no request
 * in progress (waiting for its first request head, a slowloris sending one, or an idle keep-alive
 * connection): clients re-send idempotent requests on such a connection, and a flood of idle sockets
 * can then never lock out a health check or a real client. Only when every connection is busy is the
 * new one refused, with a 503 and a close. Imago never stops accepting: an accept that fails for want
 * of descriptors would otherwise leave the listening socket readable and the node unreachable.
 *
 * <p>Timeouts are enforced by one sweep every {@link #tick} (a quarter of the shortest timeout, at
 * most a second) over every connection, instead of a timer per connection and event.
 */
public final class Connections {
  private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
  /** Descriptors kept for everything that is not a client socket: jars, epoll, pipes, logs, store files. */
  static final int RESERVED_DESCRIPTORS = 512;
  static final int MAX_DEFAULT_CONNECTIONS = 10_000;
  /** How many connections one accept looks at to find one to close. */
  private static final int EVICTION_SCAN = 1024;

  private final int maxConnections;
  final long headerTimeoutNanos;
  final long idleTimeoutNanos;
  final long bodyTimeoutNanos;
  final long sendTimeoutNanos;
  final Metrics metrics;
  private final ConcurrentLinkedQueue<ConnectionGuard> open = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - Duration.ofMinutes(2).toNanos());
  private long sweeper = -1;
  private Vertx vertx;

  public Connections(HttpConfig http, int maxConnections, Metrics metrics) {
    this.maxConnections = maxConnections;
    this.headerTimeoutNanos = http.headerTimeout().toNanos();
    this.idleTimeoutNanos = http.idleTimeout().toNanos();
    this.bodyTimeoutNanos = http.bodyTimeout().toNanos();
    this.sendTimeoutNanos = http.sendTimeout().toNanos();
    this.metrics = metrics;
    metrics.httpConnections(count::get, maxConnections);
  }

  /** The process's descriptor limit (the soft RLIMIT_NOFILE the JVM raised at start), or -1 if unknown. */
  public static long descriptorLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
      return os.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /**
   * {@code http.max_connections: 0}: half of the descriptors left after {@link #RESERVED_DESCRIPTORS}
   * and the database pool (a download or an upload holds a file besides its socket), at most
   * {@link #MAX_DEFAULT_CONNECTIONS}, at least 16.
   */
  public static int defaultMaxConnections(long descriptorLimit, int databasePool) {
    if (descriptorLimit <= 0) {
      return 1024;
    }
    long n = (descriptorLimit - RESERVED_DESCRIPTORS - databasePool) / 2;
    return (int) Math.max(16, Math.min(MAX_DEFAULT_CONNECTIONS, n));
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** Connections open now (refused ones included until they are closed). */
  public int open() {
    return count.get();
  }

  /** The sweep interval: a quarter of the shortest timeout, between 50 ms and 1 s. */
  long tick() {
    long shortest = Long.MAX_VALUE;
    for (long t : new long[] {headerTimeoutNanos, idleTimeoutNanos, bodyTimeoutNanos, sendTimeoutNanos}) {
      if (t > 0) {
        shortest = Math.min(shortest, t);
      }
    }
    return Math.max(50, Math.min(1000, shortest / 4 / 1_000_000));
  }

  /** {@code base} with this node's acceptor on the HTTP server's listening channel ({@link GuardedTransport}). */
  public static io.vertx.core.transport.Transport transport(io.vertx.core.transport.Transport base,
      Connections connections) {
    return GuardedTransport.wrap(base, connections);
  }

  /** Starts the timeout sweep (the sweep only reads state and closes channels: it never blocks). */
  public void start(Vertx vertx) {
    this.vertx = vertx;
    if (headerTimeoutNanos > 0 || idleTimeoutNanos > 0 || bodyTimeoutNanos > 0 || sendTimeoutNanos > 0) {
      sweeper = vertx.setPeriodic(tick(), id -> sweep());
    }
  }

  public void stop() {
    if (sweeper >= 0 && vertx != null) {
      vertx.cancelTimer(sweeper);
    }
  }

  void sweep() {
    long now = System.nanoTime();
    for (Iterator<ConnectionGuard> it = open.iterator(); it.hasNext();) {
      ConnectionGuard g = it.next();
      if (g.isClosed()) {
        it.remove();
      } else {
        g.check(now);
      }
    }
  }

  /** The server channel's handler: every accepted channel passes here, on the acceptor thread, before Vert.x. */
  ChannelHandler acceptor() {
    return new Acceptor();
  }

  /** Whether Vert.x's bootstrap for {@code options} is one of ours (the API's HTTP server). */
  static boolean guards(NetServerOptions options) {
    return options instanceof HttpServerOptions;
  }

  @ChannelHandler.Sharable
  private final class Acceptor extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel child) {
        admit(child);
      }
      ctx.fireChannelRead(msg);
    }
  }

  private void admit(Channel child) {
    ConnectionGuard guard = new ConnectionGuard(child, this);
    child.pipeline().addFirst(ConnectionGuard.NAME, guard);
    int n = count.incrementAndGet();
    child.closeFuture().addListener(f -> {
      count.decrementAndGet();
      guard.closed();
    });
    open.add(guard);
    if (n > maxConnections && !evictOne(guard)) {
      guard.refuse();
      metrics.connectionClosed("refused");
      long last = lastRefusalLog.get();
      long now = System.nanoTime();
      if (now - last > Duration.ofMinutes(1).toNanos() && lastRefusalLog.compareAndSet(last, now)) {
        LOG.atWarn().setMessage("connection limit reached and every connection is busy: refusing new ones with 503")
            .addKeyValue("max_connections", maxConnections).log();
      }
    }
  }

  /** Closes the oldest connection without a request in progress; false if there is none among the oldest. */
  private boolean evictOne(ConnectionGuard newcomer) {
    for (int i = 0; i < EVICTION_SCAN; i++) {
      ConnectionGuard g = open.poll();
      if (g == null) {
        return false;
      }
      if (g.isClosed()) {
        continue;
      }
      if (g != newcomer && g.evict()) {
        return true;
      }
      open.add(g); // busy (or the newcomer): to the back of the queue
    }
    return false;
  }
}
