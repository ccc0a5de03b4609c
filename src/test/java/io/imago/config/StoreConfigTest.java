package io.imago.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.config.StoreConfig.Backend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store.*}: Glance's single-store and multi-store ({@code enabled_backends}) configurations. */
class StoreConfigTest {
  @TempDir
  Path tmp;

  private StoreConfig fromFile(String yaml) throws Exception {
    Path f = Files.writeString(tmp.resolve("s-" + System.nanoTime() + ".yaml"),
        "data_dir: " + tmp.resolve("data") + "\n" + yaml, StandardCharsets.UTF_8);
    return ConfigLoader.load(f, Map.of(), Map.of()).store();
  }

  @Test
  void withoutEnabledBackendsThereIsOneFileStoreCalledFile() throws Exception {
    StoreConfig s = fromFile("store:\n  file:\n    filesystem_store_datadir: blobs\n");
    assertThat(s.multiStore()).isFalse();
    assertThat(s.backends()).containsExactly(new Backend("file", "file", null, 0, tmp.resolve("data/blobs")));
    assertThat(s.defaultBackend()).isEqualTo("file");
    assertThat(s.stagingDir()).isEqualTo(tmp.resolve("data/staging"));
  }

  @Test
  void enabledBackendsAreStoresInFileOrderWithTheFirstAsDefault() throws Exception {
    StoreConfig s = fromFile("""
        store:
          enabled_backends:
            fast: {type: file, description: Local NVMe, weight: 100, filesystem_store_datadir: /srv/fast}
            cheap: {type: file}
          os_glance_staging_store: {filesystem_store_datadir: stage}
        """);
    assertThat(s.multiStore()).isTrue();
    assertThat(s.backends()).containsExactly(
        new Backend("fast", "file", "Local NVMe", 100, Path.of("/srv/fast")),
        new Backend("cheap", "file", null, 0, tmp.resolve("data/images/cheap")));
    assertThat(s.defaultBackend()).isEqualTo("fast");
    assertThat(s.fileDir()).isEqualTo(Path.of("/srv/fast"));
    assertThat(s.stagingDir()).isEqualTo(tmp.resolve("data/stage"));
  }

  @Test
  void defaultBackendPicksTheUploadStore() throws Exception {
    StoreConfig s = fromFile("store:\n  default_backend: cheap\n  enabled_backends:\n"
        + "    fast: {type: file}\n    cheap: {type: file}\n");
    assertThat(s.defaultStore().id()).isEqualTo("cheap");
  }

  @Test
  void mistakesStopTheStartWithTheOptionNamed() {
    assertThatThrownBy(() -> fromFile("store:\n  default_backend: nope\n  enabled_backends:\n    fast: {type: file}\n"))
        .isInstanceOf(ConfigException.class).hasMessage("store.default_backend: nope (expected: one of fast)");
    assertThatThrownBy(() -> fromFile("store:\n  enabled_backends:\n    fast: {type: swift}\n"))
        .isInstanceOf(ConfigException.class).hasMessage("store.enabled_backends.fast.type: swift (expected: one of file)");
    assertThatThrownBy(() -> fromFile("store:\n  enabled_backends:\n    fast: {}\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("store.enabled_backends.fast.type: null");
    assertThatThrownBy(() -> fromFile("store:\n  enabled_backends:\n    os_glance_mine: {type: file}\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("store.enabled_backends.os_glance_mine: bad store id");
    assertThatThrownBy(() -> fromFile("store:\n  enabled_backends:\n"
        + "    a: {type: file, filesystem_store_datadir: x}\n    b: {type: file, filesystem_store_datadir: x}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("expected: a directory of its own");
    assertThatThrownBy(() -> fromFile("store:\n  enabled_backends:\n    a: {type: file, colour: red}\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("store.enabled_backends.a.colour");
  }
}
