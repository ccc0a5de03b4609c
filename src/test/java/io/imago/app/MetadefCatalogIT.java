package io.imago.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imago.Main;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.imago.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The catalog of Debian's {@code glance-common} (Glance's own definition files): loaded at first
 * start with {@code metadefs.load_dir}, and through {@code imago metadefs load|export|unload},
 * where a load followed by an export gives back equivalent documents.
 */
class MetadefCatalogIT {
  static final Path DEBIAN = Path.of("/usr/share/glance-common/metadefs");

  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("metadefs.load_dir",
      Files.isDirectory(DEBIAN) ? DEBIAN.toString() : "/nonexistent-metadefs");

  @TempDir
  Path tmp;

  @Test
  void loadDirIsLoadedAtFirstStartAndServedByTheApi() throws Exception {
    assumeTrue(Files.isDirectory(DEBIAN), "Debian's glance-common is not installed");
    Http reader = server.http().as("p-any", "reader");
    JsonArray all = reader.get("/v2/metadefs/namespaces?limit=1000").expect(200).json().getJsonArray("namespaces");
    assertThat(all.size()).isEqualTo(debianFiles().size() - privateOnes());
    JsonObject libvirt = reader.get("/v2/metadefs/namespaces/OS::Compute::LibvirtImage").expect(200).json();
    assertThat(libvirt.getJsonObject("properties").fieldNames()).contains("hw_video_model");
    assertThat(reader.get("/v2/metadefs/resource_types").expect(200).json().getJsonArray("resource_types").stream()
        .map(t -> ((JsonObject) t).getString("name"))).contains("OS::Glance::Image", "OS::Nova::Flavor");
    // a restart on the same database does not load again (it is no longer empty)
    server.restart();
    reader = server.http().as("p-any", "reader");
    assertThat(reader.get("/v2/metadefs/namespaces?limit=1000").expect(200).json().getJsonArray("namespaces"))
        .hasSize(all.size());
  }

  @Test
  void loadThenExportGivesEquivalentDocuments() throws Exception {
    assumeTrue(Files.isDirectory(DEBIAN), "Debian's glance-common is not installed");
    database = TestPostgres.get().newDatabase();
    Path out = tmp.resolve("export");
    assertThat(run("metadefs", "load", DEBIAN.toString())).isZero(); // fresh database, own data dir
    assertThat(run("metadefs", "load", DEBIAN.toString())).isZero(); // again: every namespace skipped
    assertThat(run("metadefs", "export", out.toString())).isZero();
    Map<String, Map<String, Object>> loaded = byNamespace(debianFiles());
    List<Path> exported;
    try (Stream<Path> s = Files.list(out)) {
      exported = s.toList();
    }
    Map<String, Map<String, Object>> back = byNamespace(exported);
    assertThat(back.keySet()).containsExactlyInAnyOrderElementsOf(loaded.keySet());
    loaded.forEach((ns, doc) -> assertThat(back.get(ns)).as(ns).isEqualTo(doc));

    assertThat(run("metadefs", "unload")).isZero();
    Path empty = tmp.resolve("empty");
    assertThat(run("metadefs", "export", empty.toString())).isZero();
    try (Stream<Path> s = Files.list(empty)) {
      assertThat(s.count()).isZero();
    }
  }

  private int run(String... args) {
    String url = database;
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--database-url", url, "--data-dir", tmp.resolve("data").toString()));
    // Main configures logback for the process (the access logger OFF, the root level): in this
    // shared test JVM that would silence the access log of every later test class, so it is undone
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Logger access = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        "io.imago.access");
    ch.qos.logback.classic.Level rootLevel = root.getLevel();
    ch.qos.logback.classic.Level accessLevel = access.getLevel();
    try {
      return new CommandLine(new Main()).execute(a.toArray(new String[0]));
    } finally {
      root.setLevel(rootLevel);
      access.setLevel(accessLevel);
    }
  }

  private static String database;

  private static List<Path> debianFiles() throws Exception {
    try (Stream<Path> s = Files.list(DEBIAN)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  private static long privateOnes() throws Exception {
    // files without visibility are private (owner admin): a reader of another project does not see them
    long n = 0;
    for (Path f : debianFiles()) {
      if (!"public".equals(new JsonObject(Files.readString(f)).getString("visibility"))) {
        n++;
      }
    }
    return n;
  }

  /** Each file's document, without what an export may leave out (owner, nulls, empty lists and maps). */
  private static Map<String, Map<String, Object>> byNamespace(List<Path> files) throws Exception {
    Map<String, Map<String, Object>> out = new TreeMap<>();
    for (Path f : files) {
      JsonObject doc = new JsonObject(Files.readString(f));
      doc.remove("owner");
      @SuppressWarnings("unchecked")
      Map<String, Object> normal = (Map<String, Object>) normalize(doc.getMap());
      out.put(doc.getString("namespace"), normal);
    }
    return out;
  }

  private static Object normalize(Object v) {
    if (v instanceof JsonObject o) {
      return normalize(o.getMap());
    }
    if (v instanceof JsonArray a) {
      return normalize(a.getList());
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> {
        Object n = normalize(x);
        boolean empty = n == null || n instanceof Map<?, ?> mm && mm.isEmpty() || n instanceof List<?> l && l.isEmpty();
        if (!empty) {
          out.put(String.valueOf(k), n);
        }
      });
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(normalize(x)));
      return out;
    }
    return v;
  }
}
