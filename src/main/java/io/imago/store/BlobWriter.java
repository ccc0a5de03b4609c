package io.imago.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Receives one blob. The caller writes with back-pressure ({@link #writeQueueFull()}), then
 * either {@link #commit()}s — the bytes are durable and published under the key when the future
 * succeeds — or {@link #cancel()}s. Do not call {@link #end()}: commit ends the stream.
 *
 * <p>Write and commit failures are {@link StoreException}s with a kind ({@code NO_SPACE} when the
 * medium is full).
 */
public interface BlobWriter extends WriteStream<Buffer> {
  String key();

  long bytesWritten();

  /** Makes the bytes durable (fsync) and publishes them atomically under the key; where they are. */
  Future<BlobLocation> commit();

  /** Discards everything written; idempotent, and safe after a failed commit. */
  Future<Void> cancel();
}
