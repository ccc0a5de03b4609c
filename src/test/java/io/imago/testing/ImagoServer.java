package io.imago.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.app.App;
import io.imago.config.ConfigLoader;
import io.imago.config.ImagoConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real server for a test class: {@code App.start} on port 0 with a fresh database and data
 * directory, the same path Main takes.
 *
 * <pre>
 * &#64;RegisterExtension static final ImagoServer server = new ImagoServer();
 * </pre>
 */
public final class ImagoServer implements BeforeAllCallback, AfterAllCallback {
  // in the order given: sections keyed by name (stores) keep the test's order
  private final Map<String, String> overrides = new LinkedHashMap<>();
  private UnaryOperator<ImagoConfig> customizer = c -> c;
  private boolean ownDatabase;
  private App app;
  private Path dataDir;

  public ImagoServer() {}

  /** A configuration option by its dotted path, as in conf/imago.yaml. */
  public ImagoServer with(String path, String value) {
    overrides.put(path, value);
    return this;
  }

  /** The node starts (and supervises) its own embedded PostgreSQL, as in production, instead of the shared test server's. */
  public ImagoServer ownDatabase() {
    ownDatabase = true;
    return this;
  }

  public ImagoServer customize(UnaryOperator<ImagoConfig> c) {
    this.customizer = c;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Blocking.install();
    dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "imago-it-");
    Map<String, String> o = new LinkedHashMap<>(overrides);
    o.putIfAbsent("http.port", "0");
    o.putIfAbsent("data_dir", dataDir.toString());
    // an own database is started as in production, with fsync: a test that kills it must find
    // what was committed (without fsync PostgreSQL also defers commits, which a kill then loses)
    if (!ownDatabase) {
      o.putIfAbsent("database.url", TestPostgres.get().newDatabase());
    }
    o.putIfAbsent("node_id", "test-" + context.getRequiredTestClass().getSimpleName());
    o.putIfAbsent("logging.access_log", "false");
    app = App.start(customizer.apply(ConfigLoader.defaults(o)));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (app != null) {
      app.close();
    }
  }

  /** Restarts the node on the same database and data directory (recovery tests). */
  public void restart() throws Exception {
    ImagoConfig cfg = app.config();
    app.close();
    app = App.start(cfg);
  }

  public App app() {
    return app;
  }

  public int port() {
    return app.port();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public Path dataDir() {
    return dataDir;
  }

  public Http http() {
    return new Http(baseUrl());
  }

  /** The default store's directory (every store is a file store): {@code <data dir>/images} unless configured. */
  public Path storeDir() {
    return app.config().store().fileDir();
  }

  /** Partial uploads in the default store ({@code images/incomplete}); empty when there is none. */
  public List<Path> incompleteFiles() {
    Path dir = storeDir().resolve("incomplete");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A refused or failed upload left its image queued without a size, and no data in the store. */
  public void assertNothingStored(Http http, String id) {
    JsonObject image = http.get("/v2/images/" + id).expect(200).json();
    assertThat(image.getString("status")).isEqualTo("queued");
    assertThat(image.getValue("size")).isNull();
    assertThat(storeDir().resolve(id)).doesNotExist();
    Await.until("no partial file of the image is left",
        () -> incompleteFiles().stream().noneMatch(f -> f.getFileName().toString().contains("." + id + ".")));
  }
}
