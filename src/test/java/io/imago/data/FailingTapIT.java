package io.imago.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.app.Lifecycle;
import io.imago.config.ConfigLoader;
import io.imago.config.ImagoConfig;
import io.imago.config.WorkerConfig;
import io.imago.db.Database;
import io.imago.db.BlobGarbageRepository;
import io.imago.db.ImageRepository;
import io.imago.db.UsageRepository;
import io.imago.domain.Caller;
import io.imago.domain.ErrorKind;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.metrics.Metrics;
import io.imago.quota.ConfiguredLimitSource;
import io.imago.quota.Quotas;
import io.imago.store.BlobNotFoundException;
import io.imago.store.InstrumentedStore;
import io.imago.store.StoreRegistry;
import io.imago.store.file.FileBlobStore;
import io.imago.testing.Blocking;
import io.imago.testing.Fixtures;
import io.imago.testing.TestPostgres;
import io.imago.worker.Pools;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.sqlclient.Pool;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tap that refuses the data in the middle of an upload (as format inspection or signature
 * verification will) fails the upload use case with its own error and leaves nothing stored: the
 * real use case over a real PostgreSQL, a real file store and a file as the body.
 */
class FailingTapIT {
  private static final int SIZE = 6 << 20;
  private static final long REFUSE_AFTER = 2 << 20;

  @TempDir
  Path dir;

  private Vertx vertx;
  private Pool pool;
  private Pools pools;
  private ImageRepository images;
  private FileBlobStore files;
  private Uploads uploads;
  private final AtomicLong tapSaw = new AtomicLong();

  @BeforeEach
  void wire() throws Exception {
    Blocking.install();
    vertx = Vertx.vertx();
    ImagoConfig config = ConfigLoader.defaults(Map.of("data_dir", dir.toString()));
    pool = Database.pool(vertx, TestPostgres.get().newDatabase(), config.database());
    pools = new Pools(vertx, new WorkerConfig(2, 4, 4));
    Metrics metrics = new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    images = new ImageRepository(pool, Clock.systemUTC());
    files = FileBlobStore.open(vertx, pools, "file", dir.resolve("images"), "node-a");
    FileBlobStore staging = FileBlobStore.open(vertx, pools, StoreRegistry.STAGING, dir.resolve("staging"), "node-a");
    StoreRegistry stores = new StoreRegistry(
        List.of(new StoreRegistry.Entry(new InstrumentedStore(files, metrics), null, 0)), "file",
        new InstrumentedStore(staging, metrics), false);
    Quotas quotas = new Quotas(config.quotas(), new ConfiguredLimitSource(config.quotas()), new UsageRepository(pool),
        images);
    Uploads.TapSource refuseAfter2MiB = image -> List.of(new RefusingTap());
    uploads = new Uploads(new Receiver(pools, metrics, "sha512", "SHA-512"), images, new BlobGarbageRepository(pool),
        java.time.Duration.ofHours(1), quotas, stores, new Lifecycle(), metrics, "node-a", 1L << 40,
        new FormatInspection(new FormatInspection.Settings(true, java.util.Set.of(), java.util.Set.of())),
        refuseAfter2MiB);
  }

  @AfterEach
  void close() {
    pools.close();
    pool.close().await();
    vertx.close().await();
  }

  /** Refuses the data once it has seen more than 2 MiB, as a format inspector refuses a hostile header. */
  private final class RefusingTap implements Tap<Void> {
    @Override
    public String name() {
      return "refusing";
    }

    @Override
    public void accept(ByteBuffer bytes) {
      if (tapSaw.addAndGet(bytes.remaining()) > REFUSE_AFTER) {
        throw new ImagoException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "Image data is not of the disk format");
      }
    }

    @Override
    public Void result() {
      return null;
    }
  }

  @Test
  void aTapThatFailsMidStreamFailsTheUploadAndLeavesNothingStored() throws Exception {
    Path body = Files.write(dir.resolve("body.raw"), Fixtures.bytes(SIZE, 7));
    String id = UUID.randomUUID().toString();
    Image.Builder queued = Image.queued(id, "p1", images.now()).toBuilder();
    Caller caller = new Caller("u1", "p1", Set.of("member", "reader"), false, false, "req-test");

    Throwable failure = onContextFailure(() -> vertx.fileSystem().open(body.toString(), new OpenOptions().setRead(true))
        .compose(file -> images.insert(withFormats(queued)).compose(image -> {
          file.pause();
          return uploads.upload(new Uploads.Request(image, caller, SIZE, null, file, () -> { }))
              .eventually(file::close);
        })));

    assertThat(failure).isInstanceOf(ImagoException.class).hasMessage("Image data is not of the disk format");
    assertThat(((ImagoException) failure).kind()).isEqualTo(ErrorKind.UNSUPPORTED_MEDIA_TYPE);
    assertThat(tapSaw.get()).as("bytes the tap saw before the upload stopped").isLessThan(SIZE);
    Image after = images.find(id).await().orElseThrow();
    assertThat(after.status()).isEqualTo(ImageStatus.QUEUED);
    assertThat(after.size()).isNull();
    assertThat(after.locations()).isEmpty();
    assertThatThrownBy(() -> onContext(() -> files.stat(id))).isInstanceOf(BlobNotFoundException.class);
    try (var partial = Files.list(dir.resolve("images").resolve("incomplete"))) {
      assertThat(partial).isEmpty();
    }
  }

  private static Image withFormats(Image.Builder b) {
    b.diskFormat = "raw";
    b.containerFormat = "bare";
    return b.build();
  }

  private <T> T onContext(Supplier<Future<T>> f) throws Exception {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> f.get().onComplete(p));
    return p.future().await(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private Throwable onContextFailure(Supplier<Future<?>> f) throws Exception {
    try {
      onContext(f::get);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the upload neither ended nor failed", e);
    } catch (Exception e) {
      return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }
    throw new AssertionError("expected the upload to fail");
  }
}
