package io.imago.app;

import io.imago.db.MetadefRepository;
import io.imago.domain.metadef.Association;
import io.imago.domain.metadef.MetadefObject;
import io.imago.domain.metadef.MetadefProperty;
import io.imago.domain.metadef.MetadefTag;
import io.imago.domain.metadef.Namespace;
import io.imago.domain.metadef.NamespaceDocument;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's metadata definition files, the JSON documents {@code glance-manage db_load_metadefs}
 * reads and {@code db_export_metadefs} writes (one namespace per {@code *.json} file, e.g.
 * Debian's {@code /usr/share/glance-common/metadefs}): what {@code imago metadefs load|export} and
 * {@code metadefs.load_dir} use. Blocking file I/O: call from a plain thread.
 *
 * <p>As glance-manage: a file that cannot be read or parsed is logged and skipped; a namespace
 * without an owner belongs to {@code admin}; resource types a load creates are protected; the
 * export leaves the owner out. Unlike glance-manage, objects keep their {@code required} list
 * both ways, and the property fragments are kept exactly as the files give them.
 */
public final class MetadefCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(MetadefCatalog.class);

  private MetadefCatalog() {}

  /** The documents of every {@code *.json} file of {@code dir} (or of the one file {@code dir} names), by file name. */
  public static List<NamespaceDocument> read(Path dir) throws IOException {
    List<Path> files;
    if (Files.isRegularFile(dir)) {
      files = List.of(dir);
    } else {
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
      }
    }
    List<NamespaceDocument> out = new ArrayList<>();
    for (Path f : files) {
      try {
        out.add(parse(new JsonObject(Files.readString(f, StandardCharsets.UTF_8))));
      } catch (RuntimeException | IOException e) {
        LOG.atError().setMessage("skipping a metadefs file that cannot be loaded").addKeyValue("file", f)
            .addKeyValue("error", e.getMessage()).log();
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static NamespaceDocument parse(JsonObject o) {
    String name = o.getString("namespace");
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("no namespace");
    }
    Namespace ns = new Namespace(0, name, o.getString("display_name"), o.getString("description"),
        o.getString("visibility"), o.getBoolean("protected"), o.getString("owner", "admin"), null, null);
    List<Association> assocs = new ArrayList<>();
    for (Object a : array(o, "resource_type_associations")) {
      JsonObject j = (JsonObject) a;
      assocs.add(new Association(j.getString("name"), j.getString("prefix"), j.getString("properties_target"), null,
          null));
    }
    List<MetadefProperty> props = new ArrayList<>();
    JsonObject p = o.getJsonObject("properties");
    if (p != null) {
      p.forEach(e -> props.add(new MetadefProperty(e.getKey(), ((JsonObject) e.getValue()).getMap())));
    }
    List<MetadefObject> objs = new ArrayList<>();
    for (Object x : array(o, "objects")) {
      JsonObject j = (JsonObject) x;
      JsonArray req = j.getJsonArray("required");
      JsonObject jp = j.getJsonObject("properties");
      objs.add(new MetadefObject(j.getString("name"), j.getString("description"),
          req == null ? null : (List<String>) (List<?>) req.getList(), jp == null ? null : jp.getMap(), null, null));
    }
    List<MetadefTag> tags = new ArrayList<>();
    for (Object x : array(o, "tags")) {
      tags.add(new MetadefTag(((JsonObject) x).getString("name"), null, null));
    }
    return new NamespaceDocument(ns, assocs, props, objs, tags);
  }

  private static List<Object> array(JsonObject o, String key) {
    JsonArray a = o.getJsonArray(key);
    List<Object> out = new ArrayList<>();
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        out.add(a.getValue(i));
      }
    }
    return out;
  }

  /** A document in the file format (keys without a value left out). */
  public static JsonObject render(NamespaceDocument d) {
    Namespace ns = d.namespace();
    JsonObject o = new JsonObject().put("namespace", ns.namespace());
    put(o, "display_name", ns.displayName());
    put(o, "description", ns.description());
    put(o, "visibility", ns.visibility());
    put(o, "protected", ns.isProtected());
    JsonArray assocs = new JsonArray();
    for (Association a : d.associations()) {
      JsonObject j = new JsonObject().put("name", a.name());
      put(j, "prefix", a.prefix());
      put(j, "properties_target", a.propertiesTarget());
      assocs.add(j);
    }
    o.put("resource_type_associations", assocs);
    JsonObject props = new JsonObject();
    d.properties().forEach(p -> props.put(p.name(), new JsonObject(new LinkedHashMap<>(p.schema()))));
    o.put("properties", props);
    JsonArray objs = new JsonArray();
    for (MetadefObject mo : d.objects()) {
      JsonObject j = new JsonObject().put("name", mo.name());
      put(j, "description", mo.description());
      if (mo.required() != null) {
        j.put("required", new JsonArray(new ArrayList<>(mo.required())));
      }
      j.put("properties", mo.properties() == null ? new JsonObject() : new JsonObject(new LinkedHashMap<>(mo.properties())));
      objs.add(j);
    }
    o.put("objects", objs);
    JsonArray tags = new JsonArray();
    d.tags().forEach(t -> tags.add(new JsonObject().put("name", t.name())));
    o.put("tags", tags);
    return o;
  }

  /**
   * Writes one file per namespace into {@code dir}, named as glance-manage names them (the display
   * name without non-word characters; the namespace's name when that is empty or taken).
   * Returns the files written.
   */
  public static List<Path> write(List<NamespaceDocument> docs, Path dir) throws IOException {
    Files.createDirectories(dir);
    Set<String> used = new HashSet<>();
    List<Path> out = new ArrayList<>();
    for (NamespaceDocument d : docs) {
      String base = fileBase(d.namespace().displayName());
      if (base.isEmpty() || !used.add(base)) {
        base = fileBase(d.namespace().namespace());
        String b = base;
        for (int i = 2; !used.add(base); i++) {
          base = b + i;
        }
      }
      Path f = dir.resolve(base + ".json");
      Files.writeString(f, render(d).encodePrettily() + "\n", StandardCharsets.UTF_8);
      out.add(f);
    }
    return out;
  }

  private static String fileBase(String s) {
    return s == null ? "" : s.replaceAll("[\\W_]+", "");
  }

  /**
   * Loads {@code metadefs.load_dir} when the catalog is empty (a new database). Blocking.
   */
  static void loadAtFirstStart(Path dir, MetadefRepository repo) throws IOException {
    if (!repo.exportAll().await().isEmpty()) {
      return;
    }
    List<NamespaceDocument> docs = read(dir);
    int n = repo.load(docs, MetadefRepository.LoadMode.SKIP).await();
    LOG.atInfo().setMessage("metadefs catalog loaded").addKeyValue("dir", dir).addKeyValue("namespaces", n).log();
  }

  private static void put(JsonObject o, String k, Object v) {
    if (v != null) {
      o.put(k, v);
    }
  }
}
