package io.imago.cache;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One cached image: its file {@code <image_cache_dir>/<id>} is whole and verified. {@code checksum}
 * is null for entries found on disk at start (their files were verified before they were
 * published). {@code readers} pins the entry against the pruner while downloads send it.
 */
final class CacheEntry {
  final String id;
  final long size;
  final String checksum;
  final long lastModifiedMillis;
  volatile long lastAccessedMillis;
  final AtomicLong hits = new AtomicLong();
  final AtomicInteger readers = new AtomicInteger();

  CacheEntry(String id, long size, String checksum, long lastModifiedMillis, long lastAccessedMillis) {
    this.id = id;
    this.size = size;
    this.checksum = checksum;
    this.lastModifiedMillis = lastModifiedMillis;
    this.lastAccessedMillis = lastAccessedMillis;
  }

  CachedImage view() {
    return new CachedImage(id, hits.get(), lastAccessedMillis / 1000.0, lastModifiedMillis / 1000.0, size);
  }
}
