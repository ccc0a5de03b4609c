package io.imago.data;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store's disk fills up in the middle of an upload, on a real (small) file system: Glance's 413
 * "storage media is full", typed by the file store (not by reading the error's text), the image back
 * in queued, nothing left behind, and the next upload that fits works.
 */
class StoreFullIT {
  @RegisterExtension
  @Order(1)
  static final Tmpfs disk = new Tmpfs(4L << 20);

  @RegisterExtension
  @Order(2)
  static final ImagoServer server = new ImagoServer()
      .with("store.file.filesystem_store_datadir", disk.dir().resolve("images").toString());

  private final Http http = server.http();

  @BeforeEach
  void needsTheSmallFileSystem() {
    assumeTrue(disk.mounted(), () -> "skipped: " + disk.whyNot());
  }

  @Test
  void anUploadThatFillsTheDiskIs413AndLeavesNothingBehind() throws Exception {
    String id = Fixtures.createImage(http).getString("id");
    Http.Resp full = http.putChunked("/v2/images/" + id + "/file", Fixtures.bytes(8 << 20, 1));
    assertGlanceError(full, 413);
    assertThat(full.body()).contains("Image storage media is full");
    server.assertNothingStored(http, id);
    try (var left = Files.list(disk.dir().resolve("images"))) {
      assertThat(left.map(Path::getFileName).map(Path::toString)).containsExactly("incomplete");
    }

    byte[] small = Fixtures.bytes(1 << 20, 2);
    String next = Fixtures.activeImage(http, small);
    assertThat(http.get("/v2/images/" + next + "/file").expect(200).bytes()).isEqualTo(small);
  }

  @Test
  void anUploadThatDeclaresMoreThanFitsFailsTheSameWay() {
    String id = Fixtures.createImage(http).getString("id");
    assertGlanceError(http.putBytes("/v2/images/" + id + "/file", Fixtures.bytes(6 << 20, 3)), 413);
    server.assertNothingStored(http, id);
  }
}
