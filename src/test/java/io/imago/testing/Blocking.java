package io.imago.testing;

import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM: any blocking call on a Vert.x event loop fails the
 * request that made it (and the test that sent it). Logging is exempt: the appender is not what
 * we are testing.
 */
public final class Blocking {
  private static boolean installed;

  private Blocking() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    BlockHound.Builder builder = BlockHound.builder();
    // builder() alone skips the integrations; Netty's is the one that marks event-loop threads.
    java.util.ServiceLoader.load(reactor.blockhound.integration.BlockHoundIntegration.class).forEach(builder::with);
    builder
        .allowBlockingCallsInside("ch.qos.logback.classic.Logger", "callAppenders")
        .allowBlockingCallsInside("org.slf4j.LoggerFactory", "getLogger")
        // SecureRandom reads /dev/urandom, which never blocks (UUIDs, SCRAM nonces of the PG client)
        .allowBlockingCallsInside("java.util.UUID", "randomUUID")
        .allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce")
        // handing a task to a worker pool may briefly contend for the queue's lock: not I/O
        .allowBlockingCallsInside("io.vertx.core.impl.ExecuteBlocking", "executeBlocking")
        // Vert.x shuts its worker pools down from an event loop as the last step of vertx.close();
        // the executor's lock is held only by other shutdown steps. Failing there left close()
        // pending forever (a 30 s stall per test class, seen once or twice a suite).
        .allowBlockingCallsInside("io.vertx.core.internal.WorkerPool", "close")
        // a tap lane hands its drain task to the hashing pool: the pool's queue lock is held for
        // an enqueue only (same reasoning as executeBlocking above)
        .allowBlockingCallsInside("io.imago.data.TapLane", "schedule")
        // Vert.x's AsyncFile (a file store's read stream) hands each read to the JDK's file-channel
        // pool: a queue lock held for an enqueue only, like the hand-offs above
        .allowBlockingCallsInside("sun.nio.ch.SimpleAsynchronousFileChannelImpl", "implRead")
        // Jackson builds each deserializer once under a lock; concurrent first requests of a fresh
        // server may wait a moment for it (CPU work, no I/O)
        .allowBlockingCallsInside("com.fasterxml.jackson.databind.deser.DeserializerCache",
            "_createAndCacheValueDeserializer")
        // Netty copies a heap buffer into a pooled direct one to write it to a socket; when the
        // event loops grow the allocator's magazines together, one waits a moment on a lock held
        // for that swap (CPU work, no I/O). Many concurrent downloads of a cache fill show it.
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        // class loading and initialisation read jars
        .allowBlockingCallsInside("java.lang.ClassLoader", "loadClass")
        .blockingMethodCallback(m -> {
          BlockingOnEventLoopError e = new BlockingOnEventLoopError("blocking call on an event loop: " + m);
          // logged here with its stack: whoever catches it (a stream's exception handler, say) may
          // report only its message, and the stack is what says which call blocked
          org.slf4j.LoggerFactory.getLogger(Blocking.class).error("blocking call on an event loop", e);
          throw e;
        })
        .install();
  }

  /** What BlockHound throws; an Error so that no catch (Exception) swallows it. */
  public static final class BlockingOnEventLoopError extends Error {
    private static final long serialVersionUID = 1L;

    BlockingOnEventLoopError(String message) {
      super(message);
    }
  }
}
