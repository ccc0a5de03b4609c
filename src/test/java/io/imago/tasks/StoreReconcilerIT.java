package io.imago.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Await;
import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store reconciler: data in a store that no image accounts for is deleted once older than the
 * grace period; data of active images stays; an active image whose data went missing is reported
 * in {@code imago_store_missing_blobs}.
 */
class StoreReconcilerIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("workers.reconcile_interval", "1s")
      .with("workers.orphan_grace", "1m");

  @Test
  void strayDataGoesActiveDataStaysMissingDataIsReported() throws Exception {
    Http http = server.http();
    String kept = Fixtures.createImage(http).getString("id");
    byte[] bytes = Fixtures.bytes(50_000, 7);
    http.putBytes("/v2/images/" + kept + "/file", bytes).expect(204);
    String lost = Fixtures.createImage(http).getString("id");
    http.putBytes("/v2/images/" + lost + "/file", bytes).expect(204);

    Path store = server.storeDir();
    Path stray = Files.write(store.resolve("0f0e0d0c-stray-old"), new byte[] {1, 2, 3});
    Files.setLastModifiedTime(stray, FileTime.from(Instant.now().minusSeconds(3600)));
    Path fresh = Files.write(store.resolve("0f0e0d0c-stray-new"), new byte[] {4, 5, 6});
    // data of an active image, as old as the stray one: accounted for, so it stays
    Files.setLastModifiedTime(store.resolve(kept), FileTime.from(Instant.now().minusSeconds(3600)));
    Files.delete(store.resolve(lost));

    Await.until("the stray data is deleted", () -> !Files.exists(stray));
    Await.until("the missing data is reported",
        () -> http.get("/metrics").body().contains("imago_store_missing_blobs 1.0"));
    assertThat(fresh).as("younger than the grace period").exists();
    assertThat(http.get("/v2/images/" + kept + "/file").expect(200).bytes()).isEqualTo(bytes);
  }
}
