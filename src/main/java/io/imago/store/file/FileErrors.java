package io.imago.store.file;

import io.imago.store.BlobNotFoundException;
import io.imago.store.StoreException.Kind;
import io.imago.store.StoreException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Turns the file store's I/O failures into {@link StoreException} kinds by their type and by the
 * state of the file system, never by their message: Java reports a full disk as a plain
 * {@code IOException} whose text depends on the C library, so a failed write is taken as
 * {@link Kind#NO_SPACE} when the file system has no room left for it.
 */
final class FileErrors {
  /** Less free space than this after a failed write means the write failed for want of space. */
  private static final long NO_SPACE_MARGIN = 1 << 20;

  private FileErrors() {}

  /** For failures of reads and lookups (on any thread): missing files are {@link BlobNotFoundException}. */
  static StoreException onRead(String store, String key, Throwable e) {
    StoreException typed = StoreException.find(e);
    if (typed != null) {
      return typed;
    }
    if (has(e, NoSuchFileException.class)) {
      return new BlobNotFoundException(store, key);
    }
    return typed(store, key, "read", e);
  }

  /**
   * For failures of writes, syncs and renames. Blocking (it asks the file system how much room is
   * left): call on the blocking pool, where the write failed.
   */
  static StoreException onWrite(String store, String key, Path dir, Throwable e) {
    StoreException typed = StoreException.find(e);
    if (typed != null) {
      return typed;
    }
    if (!has(e, AccessDeniedException.class) && e instanceof IOException && freeSpace(dir) < NO_SPACE_MARGIN) {
      return new StoreException(Kind.NO_SPACE, store, key, "the file system is full: " + e.getMessage(), e);
    }
    return typed(store, key, "write", e);
  }

  private static StoreException typed(String store, String key, String what, Throwable e) {
    Kind kind = has(e, AccessDeniedException.class) ? Kind.PERMISSION : Kind.UNAVAILABLE;
    return new StoreException(kind, store, key, what + ": " + e, e);
  }

  private static long freeSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException | RuntimeException ignored) {
      return Long.MAX_VALUE; // cannot tell: not evidence of a full disk
    }
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
