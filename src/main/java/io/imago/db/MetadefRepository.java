package io.imago.db;

import static io.imago.db.ImageRows.ts;

import io.imago.domain.ImagoException;
import io.imago.domain.metadef.Association;
import io.imago.domain.metadef.MetadefObject;
import io.imago.domain.metadef.MetadefProperty;
import io.imago.domain.metadef.MetadefTag;
import io.imago.domain.metadef.Namespace;
import io.imago.domain.metadef.NamespaceDocument;
import io.imago.domain.metadef.NamespaceQuery;
import io.imago.domain.metadef.ResourceType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The metadata definitions catalog in PostgreSQL (spec/metadefs.md). Visibility and policy are
 * the callers' business; this class applies the per-project and per-namespace limits, inside
 * the transaction that adds, with the namespace (or the owner's namespaces) locked, so that
 * concurrent creates cannot overshoot them.
 */
public final class MetadefRepository {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String NS_COLUMNS = "id, namespace, display_name, description, visibility, protected, owner,"
      + " created_at, updated_at";
  private static final long OWNER_LOCK = 0x1_6A60_0002L;

  /** What a namespace holds, for limits and bulk deletes. */
  public enum Kind {
    OBJECTS("metadef_objects", "objects"),
    PROPERTIES("metadef_properties", "properties"),
    TAGS("metadef_tags", "tags");

    final String table;
    final String noun;

    Kind(String table, String noun) {
      this.table = table;
      this.noun = noun;
    }
  }

  /**
   * Caps on what the API may add; -1 = unlimited. A catalog load ({@link #load}) ignores them.
   */
  public record Limits(int namespacesPerProject, int objectsPerNamespace, int propertiesPerNamespace,
      int tagsPerNamespace) {
    public static final Limits NONE = new Limits(-1, -1, -1, -1);

    int of(Kind k) {
      return switch (k) {
        case OBJECTS -> objectsPerNamespace;
        case PROPERTIES -> propertiesPerNamespace;
        case TAGS -> tagsPerNamespace;
      };
    }
  }

  /** How {@link #load} treats a namespace that exists already (glance-manage's options). */
  public enum LoadMode {
    /** Keep it as it is. */
    SKIP,
    /** Replace it and everything it holds. */
    OVERWRITE
  }

  private final Pool pool;
  private final Clock clock;

  public MetadefRepository(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  // ----------------------------------------------------------------------------- namespaces

  public Future<Optional<Namespace>> findNamespace(String name) {
    return pool.preparedQuery("SELECT " + NS_COLUMNS + " FROM metadef_namespaces WHERE namespace = $1")
        .execute(Tuple.of(name))
        .map(rows -> namespaces(rows).stream().findFirst());
  }

  /**
   * A page of namespaces the caller may see: all for an admin, else public ones, ownerless ones and
   * those of {@code project} (Glance's database visibility rule).
   */
  public Future<List<Namespace>> listNamespaces(NamespaceQuery q, boolean admin, String project) {
    List<Object> args = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE true");
    if (!admin) {
      args.add(project);
      where.append(" AND (visibility = 'public' OR owner IS NULL OR owner = $").append(args.size()).append(")");
    }
    if (q.visibility() != null) {
      args.add(q.visibility());
      where.append(" AND visibility = $").append(args.size());
    }
    if (!q.resourceTypes().isEmpty()) {
      args.add(q.resourceTypes().toArray(new String[0]));
      where.append(" AND id IN (SELECT a.namespace_id FROM metadef_namespace_resource_types a"
          + " JOIN metadef_resource_types t ON t.id = a.resource_type_id WHERE t.name = ANY($")
          .append(args.size()).append("))");
    }
    String key = sortExpression(q.sortKey());
    String dir = q.ascending() ? "ASC" : "DESC";
    if (q.marker() != null) {
      Namespace m = q.marker();
      args.add(sortValue(q.sortKey(), m));
      int k = args.size();
      args.add(ts(m.createdAt()));
      args.add(m.id());
      String op = q.ascending() ? ">" : "<";
      where.append(" AND (").append(key).append(", created_at, id) ").append(op)
          .append(" ($").append(k).append(", $").append(k + 1).append(", $").append(k + 2).append(")");
    }
    args.add(q.limit());
    String sql = "SELECT " + NS_COLUMNS + " FROM metadef_namespaces" + where + " ORDER BY " + key + " " + dir
        + ", created_at " + dir + ", id " + dir + " LIMIT $" + args.size();
    return pool.preparedQuery(sql).execute(Tuple.from(args)).map(MetadefRepository::namespaces);
  }

  /** Null-free sort expressions, so that the marker's row comparison is total. */
  private static String sortExpression(String key) {
    return switch (key) {
      case "display_name", "description", "visibility", "owner" -> "coalesce(" + key + ", '')";
      case "protected" -> "coalesce(protected, false)";
      default -> key;
    };
  }

  private static Object sortValue(String key, Namespace m) {
    return switch (key) {
      case "namespace" -> m.namespace();
      case "display_name" -> nz(m.displayName());
      case "description" -> nz(m.description());
      case "visibility" -> nz(m.visibility());
      case "owner" -> nz(m.owner());
      case "protected" -> m.protectedNow();
      case "created_at" -> ts(m.createdAt());
      case "updated_at" -> ts(m.updatedAt());
      case "id" -> m.id();
      default -> throw new IllegalArgumentException(key);
    };
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /**
   * Creates a namespace with everything the document holds, in one transaction: 409 for a
   * duplicate name (of the namespace, or of children within it), 413 over a limit.
   */
  public Future<NamespaceDocument> createNamespace(NamespaceDocument doc, Limits limits) {
    Namespace ns = doc.namespace();
    for (Kind k : Kind.values()) {
      int n = switch (k) {
        case OBJECTS -> doc.objects().size();
        case PROPERTIES -> doc.properties().size();
        case TAGS -> doc.tags().size();
      };
      if (limits.of(k) >= 0 && n > limits.of(k)) {
        return Future.failedFuture(overLimit(k, ns.namespace(), n, limits.of(k)));
      }
    }
    return pool.withTransaction(conn -> underNamespaceLimit(conn, ns.owner(), limits)
        .compose(v -> insertDocument(conn, doc, now())))
        .recover(e -> Future.failedFuture(duplicate(e, "Namespace %s already exists or holds duplicates",
            ns.namespace())));
  }

  private Future<Void> underNamespaceLimit(SqlConnection conn, String owner, Limits limits) {
    int max = limits.namespacesPerProject();
    if (max < 0) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2, '')))")
        .execute(Tuple.of((int) OWNER_LOCK, owner))
        .compose(v -> conn.preparedQuery("SELECT count(*) AS n FROM metadef_namespaces WHERE owner IS NOT DISTINCT FROM $1")
            .execute(Tuple.of(owner)))
        .compose(rows -> {
          long n = rows.iterator().next().getLong("n");
          return n + 1 > max
              ? Future.failedFuture(ImagoException.tooLarge(
                  "Metadata definition namespace limit exceeded for project %s: attempted: %d, maximum: %d",
                  owner, n + 1, max))
              : Future.succeededFuture();
        });
  }

  private Future<NamespaceDocument> insertDocument(SqlConnection conn, NamespaceDocument doc, Instant now) {
    Namespace ns = doc.namespace();
    return conn.preparedQuery("INSERT INTO metadef_namespaces (namespace, display_name, description, visibility,"
            + " protected, owner, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING " + NS_COLUMNS)
        .execute(Tuple.from(Arrays.asList(ns.namespace(), ns.displayName(), ns.description(), ns.visibility(),
            ns.isProtected(), ns.owner(), ts(now))))
        .compose(rows -> {
          Namespace created = namespaces(rows).get(0);
          Future<Void> chain = Future.succeededFuture();
          List<Association> assocs = new ArrayList<>();
          List<MetadefProperty> props = new ArrayList<>();
          List<MetadefObject> objs = new ArrayList<>();
          List<MetadefTag> tags = new ArrayList<>();
          for (Association a : doc.associations()) {
            chain = chain.compose(v -> insertAssociation(conn, created.id(), a, now, true).map(x -> {
              assocs.add(x);
              return null;
            }));
          }
          for (MetadefProperty p : doc.properties()) {
            chain = chain.compose(v -> insertProperty(conn, created.id(), p, now).map(x -> {
              props.add(x);
              return null;
            }));
          }
          for (MetadefObject o : doc.objects()) {
            chain = chain.compose(v -> insertObject(conn, created.id(), o, now).map(x -> {
              objs.add(x);
              return null;
            }));
          }
          for (MetadefTag t : doc.tags()) {
            chain = chain.compose(v -> insertTag(conn, created.id(), t.name(), now).map(x -> {
              tags.add(x);
              return null;
            }));
          }
          return chain.map(v -> new NamespaceDocument(created, assocs, props, objs, tags));
        });
  }

  /** Replaces the namespace row (not its children); 409 when renamed onto another namespace. */
  public Future<Namespace> updateNamespace(long id, Namespace changed) {
    return pool.preparedQuery("UPDATE metadef_namespaces SET namespace = $2, display_name = $3, description = $4,"
            + " visibility = $5, protected = $6, owner = $7, updated_at = $8 WHERE id = $1 RETURNING " + NS_COLUMNS)
        .execute(Tuple.from(Arrays.asList(id, changed.namespace(), changed.displayName(), changed.description(),
            changed.visibility(), changed.isProtected(), changed.owner(), ts(now()))))
        .map(rows -> namespaces(rows).stream().findFirst().orElseThrow(() -> ImagoException.notFound(
            "Namespace %s not found", changed.namespace())))
        .recover(e -> Future.failedFuture(duplicate(e,
            "Invalid update. It would result in a duplicate metadata definition namespace with the same name of %s",
            changed.namespace())));
  }

  /** Deletes a namespace and everything it holds. */
  public Future<Void> deleteNamespace(long id) {
    return pool.preparedQuery("DELETE FROM metadef_namespaces WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  /** Deletes every object, property or tag of a namespace. */
  public Future<Void> deleteAll(long namespaceId, Kind kind) {
    return pool.preparedQuery("DELETE FROM " + kind.table + " WHERE namespace_id = $1")
        .execute(Tuple.of(namespaceId)).mapEmpty();
  }

  /** The namespace with all it holds. */
  public Future<NamespaceDocument> document(Namespace ns) {
    Future<List<Association>> assocs = associations(ns.id());
    Future<List<MetadefProperty>> props = properties(ns.id());
    Future<List<MetadefObject>> objs = objects(ns.id());
    Future<List<MetadefTag>> tags = tags(ns.id(), null, -1, "created_at", true);
    return Future.all(assocs, props, objs, tags).map(v -> new NamespaceDocument(ns, assocs.result(), props.result(),
        objs.result(), tags.result()));
  }

  // ----------------------------------------------------------------------------- objects

  public Future<List<MetadefObject>> objects(long namespaceId) {
    return pool.preparedQuery("SELECT name, description, required, properties, created_at, updated_at"
            + " FROM metadef_objects WHERE namespace_id = $1 ORDER BY created_at, id")
        .execute(Tuple.of(namespaceId)).map(MetadefRepository::objectRows);
  }

  public Future<Optional<MetadefObject>> object(long namespaceId, String name) {
    return pool.preparedQuery("SELECT name, description, required, properties, created_at, updated_at"
            + " FROM metadef_objects WHERE namespace_id = $1 AND name = $2")
        .execute(Tuple.of(namespaceId, name)).map(rows -> objectRows(rows).stream().findFirst());
  }

  public Future<MetadefObject> addObject(Namespace ns, MetadefObject o, Limits limits) {
    return underChildLimit(ns, Kind.OBJECTS, 1, limits, conn -> insertObject(conn, ns.id(), o, now()))
        .recover(e -> Future.failedFuture(duplicate(e,
            "A metadata definition object with name=%s already exists in namespace=%s.", o.name(), ns.namespace())));
  }

  private Future<MetadefObject> insertObject(SqlClient c, long nsId, MetadefObject o, Instant now) {
    return c.preparedQuery("INSERT INTO metadef_objects (namespace_id, name, description, required, properties,"
            + " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)"
            + " RETURNING name, description, required, properties, created_at, updated_at")
        .execute(Tuple.from(Arrays.asList(nsId, o.name(), o.description(),
            o.required() == null ? null : new JsonArray(new ArrayList<>(o.required())),
            o.properties() == null ? null : new JsonObject(new LinkedHashMap<>(o.properties())), ts(now))))
        .map(rows -> objectRows(rows).get(0));
  }

  /** Replaces an object (may rename it); empty when there is none by that name. */
  public Future<Optional<MetadefObject>> updateObject(Namespace ns, String name, MetadefObject o) {
    return pool.preparedQuery("UPDATE metadef_objects SET name = $3, description = $4, required = $5, properties = $6,"
            + " updated_at = $7 WHERE namespace_id = $1 AND name = $2"
            + " RETURNING name, description, required, properties, created_at, updated_at")
        .execute(Tuple.from(Arrays.asList(ns.id(), name, o.name(), o.description(),
            o.required() == null ? null : new JsonArray(new ArrayList<>(o.required())),
            o.properties() == null ? null : new JsonObject(new LinkedHashMap<>(o.properties())), ts(now()))))
        .map(rows -> objectRows(rows).stream().findFirst())
        .recover(e -> Future.failedFuture(duplicate(e,
            "A metadata definition object with name=%s already exists in namespace=%s.", o.name(), ns.namespace())));
  }

  public Future<Boolean> deleteObject(long namespaceId, String name) {
    return deleteNamed("metadef_objects", namespaceId, name);
  }

  // ----------------------------------------------------------------------------- properties

  public Future<List<MetadefProperty>> properties(long namespaceId) {
    return pool.preparedQuery("SELECT name, schema FROM metadef_properties WHERE namespace_id = $1 ORDER BY created_at, id")
        .execute(Tuple.of(namespaceId)).map(MetadefRepository::propertyRows);
  }

  public Future<Optional<MetadefProperty>> property(long namespaceId, String name) {
    return pool.preparedQuery("SELECT name, schema FROM metadef_properties WHERE namespace_id = $1 AND name = $2")
        .execute(Tuple.of(namespaceId, name)).map(rows -> propertyRows(rows).stream().findFirst());
  }

  public Future<MetadefProperty> addProperty(Namespace ns, MetadefProperty p, Limits limits) {
    return underChildLimit(ns, Kind.PROPERTIES, 1, limits, conn -> insertProperty(conn, ns.id(), p, now()))
        .recover(e -> Future.failedFuture(duplicate(e,
            "A metadata definition property with name=%s already exists in namespace=%s.", p.name(), ns.namespace())));
  }

  private Future<MetadefProperty> insertProperty(SqlClient c, long nsId, MetadefProperty p, Instant now) {
    return c.preparedQuery("INSERT INTO metadef_properties (namespace_id, name, schema, created_at, updated_at)"
            + " VALUES ($1, $2, $3, $4, $4) RETURNING name, schema")
        .execute(Tuple.of(nsId, p.name(), new JsonObject(new LinkedHashMap<>(p.schema())), ts(now)))
        .map(rows -> propertyRows(rows).get(0));
  }

  public Future<Optional<MetadefProperty>> updateProperty(Namespace ns, String name, MetadefProperty p) {
    return pool.preparedQuery("UPDATE metadef_properties SET name = $3, schema = $4, updated_at = $5"
            + " WHERE namespace_id = $1 AND name = $2 RETURNING name, schema")
        .execute(Tuple.of(ns.id(), name, p.name(), new JsonObject(new LinkedHashMap<>(p.schema())), ts(now())))
        .map(rows -> propertyRows(rows).stream().findFirst())
        .recover(e -> Future.failedFuture(duplicate(e,
            "A metadata definition property with name=%s already exists in namespace=%s.", p.name(), ns.namespace())));
  }

  public Future<Boolean> deleteProperty(long namespaceId, String name) {
    return deleteNamed("metadef_properties", namespaceId, name);
  }

  // ----------------------------------------------------------------------------- tags

  /**
   * Tags of a namespace sorted by {@code sortKey} ({@code name}, {@code created_at} or
   * {@code updated_at}) then insertion, after {@code marker} when given; {@code limit} -1 = all.
   */
  public Future<List<MetadefTag>> tags(long namespaceId, MetadefTag marker, int limit, String sortKey,
      boolean ascending) {
    String dir = ascending ? "ASC" : "DESC";
    List<Object> args = new ArrayList<>(List.of(namespaceId));
    StringBuilder sql = new StringBuilder("SELECT name, created_at, updated_at FROM metadef_tags WHERE namespace_id = $1");
    if (marker != null) {
      args.add(sortKey.equals("name") ? marker.name()
          : ts(sortKey.equals("updated_at") ? marker.updatedAt() : marker.createdAt()));
      args.add(marker.name());
      sql.append(" AND (").append(sortKey).append(", id) ").append(ascending ? ">" : "<")
          .append(" ($2, (SELECT id FROM metadef_tags WHERE namespace_id = $1 AND name = $3))");
    }
    sql.append(" ORDER BY ").append(sortKey).append(' ').append(dir).append(", id ").append(dir);
    if (limit >= 0) {
      args.add(limit);
      sql.append(" LIMIT $").append(args.size());
    }
    return pool.preparedQuery(sql.toString()).execute(Tuple.from(args)).map(MetadefRepository::tagRows);
  }

  public Future<Optional<MetadefTag>> tag(long namespaceId, String name) {
    return pool.preparedQuery("SELECT name, created_at, updated_at FROM metadef_tags WHERE namespace_id = $1 AND name = $2")
        .execute(Tuple.of(namespaceId, name)).map(rows -> tagRows(rows).stream().findFirst());
  }

  public Future<MetadefTag> addTag(Namespace ns, String name, Limits limits) {
    return underChildLimit(ns, Kind.TAGS, 1, limits, conn -> insertTag(conn, ns.id(), name, now()))
        .recover(e -> Future.failedFuture(duplicate(e,
            "A metadata tag with name=%s already exists in namespace=%s.", name, ns.namespace())));
  }

  /**
   * {@code POST …/tags}: replaces every tag of the namespace with {@code names}, or adds them
   * when {@code append}; 409 for a name that exists (case-insensitively) in the result twice.
   */
  public Future<List<MetadefTag>> addTags(Namespace ns, List<String> names, boolean append, Limits limits) {
    Instant now = now();
    int max = limits.of(Kind.TAGS);
    return pool.withTransaction(conn -> lockNamespace(conn, ns)
        .compose(v -> append ? Future.succeededFuture()
            : conn.preparedQuery("DELETE FROM metadef_tags WHERE namespace_id = $1").execute(Tuple.of(ns.id())))
        .compose(v -> max < 0 ? Future.succeededFuture() : count(conn, Kind.TAGS, ns.id()).compose(n -> n + names.size() > max
            ? Future.failedFuture(overLimit(Kind.TAGS, ns.namespace(), n + names.size(), max))
            : Future.succeededFuture()))
        .compose(v -> {
          List<MetadefTag> out = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (String name : names) {
            chain = chain.compose(x -> insertTag(conn, ns.id(), name, now).map(t -> {
              out.add(t);
              return null;
            }));
          }
          return chain.map(x -> out);
        }))
        .recover(e -> Future.failedFuture(duplicate(e, "A metadata tag in namespace=%s is duplicated.",
            ns.namespace())));
  }

  private Future<MetadefTag> insertTag(SqlClient c, long nsId, String name, Instant now) {
    return c.preparedQuery("INSERT INTO metadef_tags (namespace_id, name, created_at, updated_at)"
            + " VALUES ($1, $2, $3, $3) RETURNING name, created_at, updated_at")
        .execute(Tuple.of(nsId, name, ts(now))).map(rows -> tagRows(rows).get(0));
  }

  public Future<Optional<MetadefTag>> renameTag(Namespace ns, String name, String newName) {
    return pool.preparedQuery("UPDATE metadef_tags SET name = $3, updated_at = $4 WHERE namespace_id = $1 AND name = $2"
            + " RETURNING name, created_at, updated_at")
        .execute(Tuple.of(ns.id(), name, newName, ts(now())))
        .map(rows -> tagRows(rows).stream().findFirst())
        .recover(e -> Future.failedFuture(duplicate(e,
            "A metadata tag with name=%s already exists in namespace=%s.", newName, ns.namespace())));
  }

  public Future<Boolean> deleteTag(long namespaceId, String name) {
    return deleteNamed("metadef_tags", namespaceId, name);
  }

  // ----------------------------------------------------------------------------- resource types

  public Future<List<ResourceType>> resourceTypes() {
    return pool.query("SELECT name, protected, created_at, updated_at FROM metadef_resource_types ORDER BY created_at, id")
        .execute().map(rows -> {
          List<ResourceType> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new ResourceType(r.getString("name"), r.getBoolean("protected"), instant(r, "created_at"),
                instant(r, "updated_at")));
          }
          return out;
        });
  }

  public Future<List<Association>> associations(long namespaceId) {
    return pool.preparedQuery("SELECT t.name, a.prefix, a.properties_target, a.created_at, a.updated_at"
            + " FROM metadef_namespace_resource_types a JOIN metadef_resource_types t ON t.id = a.resource_type_id"
            + " WHERE a.namespace_id = $1 ORDER BY a.created_at, a.seq")
        .execute(Tuple.of(namespaceId)).map(MetadefRepository::associationRows);
  }

  /** The associations of several namespaces at once (a list page), by namespace id. */
  public Future<Map<Long, List<Association>>> associations(List<Long> namespaceIds) {
    if (namespaceIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return pool.preparedQuery("SELECT a.namespace_id, t.name, a.prefix, a.properties_target, a.created_at, a.updated_at"
            + " FROM metadef_namespace_resource_types a JOIN metadef_resource_types t ON t.id = a.resource_type_id"
            + " WHERE a.namespace_id = ANY($1) ORDER BY a.created_at, a.seq")
        .execute(Tuple.of(namespaceIds.toArray(new Long[0])))
        .map(rows -> {
          Map<Long, List<Association>> out = new LinkedHashMap<>();
          for (Row r : rows) {
            out.computeIfAbsent(r.getLong("namespace_id"), k -> new ArrayList<>()).add(association(r));
          }
          return out;
        });
  }

  /** Associates a resource type (created if needed) with a namespace; 409 if it already is. */
  public Future<Association> associate(Namespace ns, Association a) {
    return pool.withTransaction(conn -> insertAssociation(conn, ns.id(), a, now(), false))
        .recover(e -> Future.failedFuture(duplicate(e,
            "The metadata definition resource-type association of resource-type=%s to namespace=%s, already exists.",
            a.name(), ns.namespace())));
  }

  private Future<Association> insertAssociation(SqlClient c, long nsId, Association a, Instant now, boolean system) {
    return c.preparedQuery("INSERT INTO metadef_resource_types (name, protected, created_at, updated_at)"
            + " VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING")
        .execute(Tuple.of(a.name(), system, ts(now)))
        .compose(v -> c.preparedQuery("INSERT INTO metadef_namespace_resource_types (namespace_id, resource_type_id,"
                + " prefix, properties_target, created_at, updated_at)"
                + " SELECT $1, id, $3, $4, $5, $5 FROM metadef_resource_types WHERE name = $2"
                + " RETURNING $2::text AS name, prefix, properties_target, created_at, updated_at")
            .execute(Tuple.from(Arrays.asList(nsId, a.name(), a.prefix(), a.propertiesTarget(), ts(now)))))
        .map(rows -> associationRows(rows).get(0));
  }

  public Future<Boolean> dissociate(long namespaceId, String resourceType) {
    return pool.preparedQuery("DELETE FROM metadef_namespace_resource_types WHERE namespace_id = $1"
            + " AND resource_type_id = (SELECT id FROM metadef_resource_types WHERE name = $2)")
        .execute(Tuple.of(namespaceId, resourceType)).map(rows -> rows.rowCount() > 0);
  }

  // ----------------------------------------------------------------------------- catalog

  /**
   * Loads catalog documents (glance-manage db_load_metadefs): each namespace in its own
   * transaction, without limits; an existing one is kept or replaced as {@code mode} says.
   * Returns how many were written.
   */
  public Future<Integer> load(List<NamespaceDocument> docs, LoadMode mode) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (NamespaceDocument doc : docs) {
      chain = chain.compose(n -> pool.withTransaction(conn -> conn.preparedQuery(
                  "SELECT id FROM metadef_namespaces WHERE namespace = $1 FOR UPDATE")
              .execute(Tuple.of(doc.namespace().namespace()))
              .compose(rows -> {
                boolean exists = rows.size() > 0;
                if (exists && mode == LoadMode.SKIP) {
                  return Future.succeededFuture(0);
                }
                Future<?> cleared = exists
                    ? conn.preparedQuery("DELETE FROM metadef_namespaces WHERE namespace = $1")
                        .execute(Tuple.of(doc.namespace().namespace()))
                    : Future.succeededFuture();
                return cleared.compose(v -> insertDocument(conn, doc, now())).map(d -> 1);
              }))
          .map(written -> n + written));
    }
    return chain;
  }

  /** Deletes the whole catalog (glance-manage db_unload_metadefs). */
  public Future<Void> unload() {
    return pool.query("DELETE FROM metadef_namespaces; DELETE FROM metadef_resource_types").execute().mapEmpty();
  }

  /** Every namespace with all it holds, by name. */
  public Future<List<NamespaceDocument>> exportAll() {
    return pool.query("SELECT " + NS_COLUMNS + " FROM metadef_namespaces ORDER BY namespace").execute()
        .map(MetadefRepository::namespaces)
        .compose(all -> {
          Future<List<NamespaceDocument>> chain = Future.succeededFuture(new ArrayList<>());
          for (Namespace ns : all) {
            chain = chain.compose(list -> document(ns).map(d -> {
              list.add(d);
              return list;
            }));
          }
          return chain;
        });
  }

  // ----------------------------------------------------------------------------- helpers

  private <T> Future<T> underChildLimit(Namespace ns, Kind kind, int adding, Limits limits,
      Function<SqlConnection, Future<T>> insert) {
    int max = limits.of(kind);
    if (max < 0) {
      return pool.withConnection(insert::apply);
    }
    return pool.withTransaction(conn -> lockNamespace(conn, ns)
        .compose(v -> count(conn, kind, ns.id()))
        .compose(n -> n + adding > max ? Future.failedFuture(overLimit(kind, ns.namespace(), n + adding, max))
            : insert.apply(conn)));
  }

  private static Future<Void> lockNamespace(SqlConnection conn, Namespace ns) {
    return conn.preparedQuery("SELECT id FROM metadef_namespaces WHERE id = $1 FOR UPDATE").execute(Tuple.of(ns.id()))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ImagoException.notFound("Namespace %s not found", ns.namespace()))
            : Future.succeededFuture());
  }

  private static Future<Integer> count(SqlConnection conn, Kind kind, long nsId) {
    return conn.preparedQuery("SELECT count(*) AS n FROM " + kind.table + " WHERE namespace_id = $1")
        .execute(Tuple.of(nsId)).map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  private static ImagoException overLimit(Kind kind, String namespace, int attempted, int max) {
    return ImagoException.tooLarge("Metadata definition %s limit exceeded for namespace %s: attempted: %d, maximum: %d",
        kind.noun, namespace, attempted, max);
  }

  private Future<Boolean> deleteNamed(String table, long nsId, String name) {
    return pool.preparedQuery("DELETE FROM " + table + " WHERE namespace_id = $1 AND name = $2")
        .execute(Tuple.of(nsId, name)).map(rows -> rows.rowCount() > 0);
  }

  private static Throwable duplicate(Throwable e, String format, Object... args) {
    if (e instanceof PgException pe && UNIQUE_VIOLATION.equals(pe.getSqlState())) {
      return ImagoException.conflict(format, args);
    }
    return e;
  }

  private static Instant instant(Row r, String column) {
    return r.getOffsetDateTime(column).toInstant();
  }

  private static List<Namespace> namespaces(RowSet<Row> rows) {
    List<Namespace> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new Namespace(r.getLong("id"), r.getString("namespace"), r.getString("display_name"),
          r.getString("description"), r.getString("visibility"), r.getBoolean("protected"), r.getString("owner"),
          instant(r, "created_at"), instant(r, "updated_at")));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<MetadefObject> objectRows(RowSet<Row> rows) {
    List<MetadefObject> out = new ArrayList<>();
    for (Row r : rows) {
      Object req = r.getValue("required");
      Object props = r.getValue("properties");
      out.add(new MetadefObject(r.getString("name"), r.getString("description"),
          req instanceof JsonArray a ? (List<String>) plain(a) : null,
          props instanceof JsonObject o ? (Map<String, Object>) plain(o) : null,
          instant(r, "created_at"), instant(r, "updated_at")));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<MetadefProperty> propertyRows(RowSet<Row> rows) {
    List<MetadefProperty> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new MetadefProperty(r.getString("name"), (Map<String, Object>) plain(r.getValue("schema"))));
    }
    return out;
  }

  private static List<MetadefTag> tagRows(RowSet<Row> rows) {
    List<MetadefTag> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(new MetadefTag(r.getString("name"), instant(r, "created_at"), instant(r, "updated_at")));
    }
    return out;
  }

  private static List<Association> associationRows(RowSet<Row> rows) {
    List<Association> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(association(r));
    }
    return out;
  }

  private static Association association(Row r) {
    return new Association(r.getString("name"), r.getString("prefix"), r.getString("properties_target"),
        instant(r, "created_at"), instant(r, "updated_at"));
  }

  /** jsonb as plain Java values (Map, List, String, Number, Boolean, null), as the domain takes them. */
  static Object plain(Object json) {
    if (json instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (json instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (json instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (json instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(plain(v)));
      return out;
    }
    return json;
  }
}
