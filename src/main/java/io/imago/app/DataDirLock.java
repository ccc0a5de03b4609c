package io.imago.app;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One Imago process per data directory. A second one would take the first one's embedded
 * PostgreSQL for an orphan and stop it, and would clean up the first one's uploads in progress.
 * The lock is an OS file lock on {@code <data_dir>/imago.lock}: released when the process exits,
 * however it exits, so a {@code kill -9} never leaves a stale lock behind.
 */
final class DataDirLock implements AutoCloseable {
  static final String FILE = "imago.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or fails at once, naming the directory. */
  static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this JVM already
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("data directory " + dataDir + " is in use by another Imago process (" + file
          + " is locked)");
    }
    return new DataDirLock(channel, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the process is stopping; the OS drops the lock with the file descriptor
    }
  }
}
