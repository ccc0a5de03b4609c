package io.imago.store.file;

import io.imago.store.BlobInfo;
import io.imago.store.BlobKeys;
import io.imago.store.BlobLocation;
import io.imago.store.BlobStore;
import io.imago.store.BlobWriter;
import io.imago.store.ByteRange;
import io.imago.store.StoreCapability;
import io.imago.store.StoreException;
import io.imago.store.StoreType;
import io.imago.store.StoredBlob;
import io.imago.worker.Pools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Blobs as files under one directory (Glance's {@code filesystem_store_datadir}). A writer writes
 * {@code incomplete/<node>.<key>.<uuid>}; commit fsyncs it, renames it onto {@code <key>} and
 * fsyncs the directory, so a blob is either whole and durable or absent. Files are read with
 * kernel sendfile through {@link #localFile}. I/O failures become typed {@link StoreException}s
 * ({@link FileErrors}).
 */
public final class FileBlobStore implements BlobStore {
  public static final String TYPE = "file";
  /** Bytes per read when a blob is streamed rather than sent with sendfile. */
  static final int READ_BUFFER_SIZE = 256 * 1024;

  private final Vertx vertx;
  private final Pools pools;
  private final String id;
  private final Path root;
  private final Path incomplete;
  private final String nodeId;

  private FileBlobStore(Vertx vertx, Pools pools, String id, Path root, String nodeId) {
    this.vertx = vertx;
    this.pools = pools;
    this.id = id;
    this.root = root;
    this.incomplete = root.resolve("incomplete");
    this.nodeId = nodeId;
  }

  /** Creates the directories (blocking; call at start, before serving). */
  public static FileBlobStore open(Vertx vertx, Pools pools, String id, Path root, String nodeId) throws IOException {
    Path abs = root.toAbsolutePath().normalize();
    Files.createDirectories(abs.resolve("incomplete"));
    return new FileBlobStore(vertx, pools, id, abs, nodeId.replaceAll("[^A-Za-z0-9_-]", "_"));
  }

  /** The {@code file} store type: each backend's {@code filesystem_store_datadir} is its directory. */
  public static StoreType type(Vertx vertx, Pools pools, String nodeId) {
    return backend -> open(vertx, pools, backend.id(), backend.fileDir(), nodeId);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** Glance's file store details: its directory, its chunk size, and no thin provisioning. */
  @Override
  public Map<String, Object> properties() {
    return Map.of("data_dir", root.toString(), "chunk_size", READ_BUFFER_SIZE, "thin_provisioning", false);
  }

  @Override
  public Set<StoreCapability> capabilities() {
    return EnumSet.allOf(StoreCapability.class);
  }

  public Path root() {
    return root;
  }

  @Override
  public String url(String key) {
    return "file://" + path(key);
  }

  @Override
  public Future<BlobInfo> stat(String key) {
    Path p = path(key);
    return vertx.fileSystem().props(p.toString())
        .map(props -> new BlobInfo(key, props.size()))
        .recover(e -> Future.failedFuture(FileErrors.onRead(id, key, e)));
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key, ByteRange range) {
    Path p = path(key);
    return vertx.fileSystem().open(p.toString(), new OpenOptions().setRead(true).setWrite(false).setCreate(false))
        .recover(e -> Future.failedFuture(FileErrors.onRead(id, key, e)))
        .map(file -> {
          file.pause();
          file.setReadPos(range.offset());
          if (range.length() != Long.MAX_VALUE) {
            file.setReadLength(range.length());
          }
          file.setReadBufferSize(READ_BUFFER_SIZE);
          return (ReadStream<Buffer>) new ClosingStream(file);
        });
  }

  @Override
  public Future<Optional<Path>> localFile(String key) {
    return Future.succeededFuture(Optional.of(path(key)));
  }

  @Override
  public Future<BlobWriter> create(String key) {
    BlobKeys.require(key);
    Path tmp = incomplete.resolve(nodeId + "." + key + "." + UUID.randomUUID());
    return pools.blocking(() -> {
      try {
        return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw onWrite(key, e);
      }
    }).map(ch -> new FileBlobWriter(this, pools, key, tmp, ch));
  }

  @Override
  public Future<Void> delete(String key) {
    Path p = path(key);
    return pools.blocking(() -> {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        throw onWrite(key, e);
      }
      return null;
    });
  }

  @Override
  public Future<List<StoredBlob>> list() {
    return pools.blocking(() -> {
      List<StoredBlob> out = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          BasicFileAttributes a;
          try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          } catch (NoSuchFileException gone) {
            continue; // deleted while we listed
          }
          // the incomplete/ directory and anything that is not a plain file is not a blob
          if (a.isRegularFile() && BlobKeys.valid(name)) {
            out.add(new StoredBlob(name, a.size(), a.lastModifiedTime().toInstant()));
          }
        }
      } catch (IOException e) {
        throw FileErrors.onRead(id, "", e);
      }
      return out;
    });
  }

  @Override
  public Future<Integer> cleanIncomplete() {
    return pools.blocking(() -> {
      int n = 0;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(incomplete, nodeId + ".*")) {
        for (Path p : ds) {
          Files.deleteIfExists(p);
          n++;
        }
      }
      return n;
    });
  }

  /** Publishes a written temp file under its key: fsync'ed by the writer, renamed, directory synced. */
  Future<BlobLocation> publish(Path tmp, String key, long size) {
    Path target = path(key);
    return pools.blocking(() -> {
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw onWrite(key, e);
      }
      try (FileChannel dir = FileChannel.open(root, StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // not known to be durable, so not published: a failed commit leaves nothing behind
        Files.deleteIfExists(target);
        throw onWrite(key, e);
      }
      return new BlobLocation(id, key, size);
    });
  }

  /** A write-side failure as a typed store failure; blocking (see {@link FileErrors#onWrite}). */
  StoreException onWrite(String key, Throwable e) {
    return FileErrors.onWrite(id, key, root, e);
  }

  Future<Void> discard(Path tmp) {
    return pools.blocking(() -> {
      Files.deleteIfExists(tmp);
      return null;
    });
  }

  Path path(String key) {
    return root.resolve(BlobKeys.require(key));
  }

  /**
   * The file's stream, closed at its end or first error whatever end and exception handlers its
   * reader sets ({@code pipeTo} and the node cache's fills set their own).
   */
  private static final class ClosingStream implements ReadStream<Buffer> {
    private final io.vertx.core.file.AsyncFile file;
    private io.vertx.core.Handler<Void> end;
    private io.vertx.core.Handler<Throwable> error;

    ClosingStream(io.vertx.core.file.AsyncFile file) {
      this.file = file;
      file.endHandler(v -> {
        file.close();
        if (end != null) {
          end.handle(v);
        }
      });
      file.exceptionHandler(e -> {
        file.close();
        if (error != null) {
          error.handle(e);
        }
      });
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> handler) {
      error = handler;
      return this;
    }

    @Override
    public ReadStream<Buffer> handler(io.vertx.core.Handler<Buffer> handler) {
      file.handler(handler);
      return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
      file.pause();
      return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
      file.resume();
      return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
      file.fetch(amount);
      return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(io.vertx.core.Handler<Void> handler) {
      end = handler;
      return this;
    }
  }
}
