package io.imago.bench;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * Generated image bytes: a 1 MiB random block (from a seed) repeated, each repetition stamped with
 * its index in its first 8 bytes, so no two MiB are alike and nothing can be deduplicated, yet
 * producing a multi-GB stream costs no CPU per byte (the block is sent as a read-only view, never
 * copied). Its MD5 and SHA-512 are computed once, before any measurement, by {@link #digests()}.
 */
public final class Data {
  static final int BLOCK = 1 << 20;
  private final long size;
  private final byte[] block;
  private volatile LongConsumer onBytes = n -> { };
  private String md5;
  private String sha512;

  public Data(long size, long seed) {
    this.size = size;
    this.block = new byte[BLOCK];
    new Random(seed).nextBytes(block);
  }

  public long size() {
    return size;
  }

  /** Tells the given counter about every buffer handed to the network. */
  public Data counting(LongConsumer c) {
    this.onBytes = c;
    return this;
  }

  private ByteBuffer stamp(long chunk) {
    ByteBuffer b = ByteBuffer.allocate(8).putLong(chunk);
    return b.flip();
  }

  /** The buffers of chunk {@code k} (stamp + rest of the block), trimmed to the total size. */
  List<ByteBuffer> chunk(long k) {
    long off = k * BLOCK;
    int len = (int) Math.min(BLOCK, size - off);
    ByteBuffer head = stamp(k);
    if (len <= 8) {
      return List.of(head.limit(len));
    }
    return List.of(head, ByteBuffer.wrap(block, 8, len - 8).asReadOnlyBuffer());
  }

  long chunks() {
    return (size + BLOCK - 1) / BLOCK;
  }

  /** Writes all bytes to a file (for nginx, the reference server). */
  public void writeTo(java.nio.file.Path file) throws java.io.IOException {
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long k = 0; k < chunks(); k++) {
        for (ByteBuffer b : chunk(k)) {
          while (b.hasRemaining()) {
            ch.write(b);
          }
        }
      }
    }
  }

  /** MD5 and SHA-512 hex of the whole stream (computed once, then cached). */
  public synchronized String[] digests() {
    if (md5 == null) {
      MessageDigest m = Digests.md5();
      MessageDigest s = Digests.sha512();
      for (long k = 0; k < chunks(); k++) {
        for (ByteBuffer b : chunk(k)) {
          m.update(b.duplicate());
          s.update(b);
        }
      }
      md5 = HexFormat.of().formatHex(m.digest());
      sha512 = HexFormat.of().formatHex(s.digest());
    }
    return new String[] {md5, sha512};
  }

  /** A request body that emits the chunks on demand (back-pressure from the client's socket). */
  public HttpRequest.BodyPublisher publisher() {
    return HttpRequest.BodyPublishers.fromPublisher(new Flow.Publisher<ByteBuffer>() {
      @Override
      public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
        s.onSubscribe(new Emitter(s));
      }
    }, size);
  }

  /** Emits buffers while there is demand; re-entrant {@code request} calls only add demand. */
  private final class Emitter implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> s;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicBoolean emitting = new AtomicBoolean();
    private volatile boolean cancelled;
    private long next;
    private List<ByteBuffer> pending = List.of();
    private int pendingAt;

    Emitter(Flow.Subscriber<? super ByteBuffer> s) {
      this.s = s;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancelled = true;
        s.onError(new IllegalArgumentException("request " + n));
        return;
      }
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    private void drain() {
      while (emitting.compareAndSet(false, true)) {
        try {
          while (!cancelled && demand.get() > 0) {
            if (pendingAt >= pending.size()) {
              if (next >= chunks()) {
                cancelled = true;
                s.onComplete();
                return;
              }
              pending = chunk(next++);
              pendingAt = 0;
            }
            ByteBuffer b = pending.get(pendingAt++);
            demand.decrementAndGet();
            onBytes.accept(b.remaining());
            s.onNext(b);
          }
        } finally {
          emitting.set(false);
        }
        if (cancelled || demand.get() == 0) {
          return;
        }
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
