package io.imago.api;

import io.imago.db.MetadefRepository;
import io.imago.domain.Caller;
import io.imago.domain.ImagoException;
import io.imago.domain.metadef.MetadefObject;
import io.imago.domain.metadef.MetadefProperty;
import io.imago.domain.metadef.MetadefTag;
import io.imago.domain.metadef.Namespace;
import io.imago.policy.Action;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a metadefs namespace holds: objects, properties and tags (spec/metadefs.md §3–§5),
 * {@code /v2/metadefs/namespaces/{ns}/{objects,properties,tags}[/{name}]}. Bodies are read
 * first (403 for read-only keys, 400 for the schema), then the namespace is found (404) and the
 * policy asked (403, or 404 when the caller may not see the namespace), then the child.
 */
public final class MetadefContentsHandler {
  private static final Set<String> TAG_SORT_KEYS = Set.of("name", "created_at", "updated_at");
  private static final Set<String> TRUE_STRINGS = Set.of("1", "t", "true", "on", "y", "yes");

  private final MetadefAccess access;
  private final MetadefRepository repo;
  private final MetadefBodies bodies;
  private final MetadefRepository.Limits limits;

  public MetadefContentsHandler(MetadefAccess access, MetadefSchemas schemas, MetadefRepository.Limits limits) {
    this.access = access;
    this.repo = access.repo();
    this.bodies = new MetadefBodies(schemas);
    this.limits = limits;
  }

  // ----------------------------------------------------------------------------- objects

  /** {@code GET …/objects} (Glance ignores paging here, but checks its parameters). */
  public void listObjects(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    Map<String, String> q = params(rc);
    MetadefNamespacesHandler.sortDir(q.getOrDefault("sort_dir", "desc"));
    if (q.get("limit") != null) {
      MetadefNamespacesHandler.limit(q.get("limit"), 0, Integer.MAX_VALUE);
    }
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_OBJECTS)
        .compose(ns -> repo.objects(ns.id()).map(all -> {
          JsonArray out = new JsonArray();
          if (access.allows(caller, ns, Action.GET_METADEF_OBJECT)) {
            all.forEach(o -> out.add(MetadefView.object(ns.namespace(), o, null)));
          }
          return new JsonObject().put("objects", out).put("schema", "v2/schemas/metadefs/objects");
        }))
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code POST …/objects} → 201. */
  public void createObject(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    MetadefObject o = bodies.object(JsonBodies.parse(rc), true);
    access.forAction(caller, rc.pathParam("namespace"), Action.ADD_METADEF_OBJECT)
        .compose(ns -> repo.addObject(ns, o, limits).map(created -> MetadefView.object(ns.namespace(), created, null)))
        .onSuccess(body -> JsonBodies.send(rc, 201, body))
        .onFailure(rc::fail);
  }

  public void showObject(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String name = rc.pathParam("object_name");
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_OBJECT)
        .compose(ns -> repo.object(ns.id(), name).map(found -> MetadefView.object(ns.namespace(),
            found.orElseThrow(() -> objectNotFound(name, ns)), null)))
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code PUT …/objects/{name}}: full replacement, may rename. */
  public void updateObject(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("object_name");
    MetadefObject o = bodies.object(JsonBodies.parse(rc), false);
    access.forAction(caller, rc.pathParam("namespace"), Action.MODIFY_METADEF_OBJECT)
        .compose(ns -> repo.updateObject(ns, name, o).map(updated -> MetadefView.object(ns.namespace(),
            updated.orElseThrow(() -> objectNotFound(name, ns)), null)))
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  public void deleteObject(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("object_name");
    access.forAction(caller, rc.pathParam("namespace"), Action.DELETE_METADEF_OBJECT)
        .compose(ns -> repo.object(ns.id(), name).compose(found -> {
          found.orElseThrow(() -> objectNotFound(name, ns));
          protectedChild(ns, "object", name);
          return repo.deleteObject(ns.id(), name);
        }))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private static ImagoException objectNotFound(String name, Namespace ns) {
    return ImagoException.notFound("Metadata definition object not found for namespace=%s and object=%s",
        ns.namespace(), name);
  }

  // ----------------------------------------------------------------------------- properties

  /** {@code GET …/properties} → {@code {"properties": {name: fragment}}}. */
  public void listProperties(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_PROPERTIES)
        .compose(ns -> repo.properties(ns.id()).map(all -> {
          JsonObject props = new JsonObject();
          all.forEach(p -> props.put(p.name(), MetadefView.fragment(p.schema(), null)));
          return new JsonObject().put("properties", props);
        }))
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  public void createProperty(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    MetadefProperty p = bodies.property(JsonBodies.parse(rc));
    access.forAction(caller, rc.pathParam("namespace"), Action.ADD_METADEF_PROPERTY)
        .compose(ns -> repo.addProperty(ns, p, limits))
        .onSuccess(created -> JsonBodies.send(rc, 201, MetadefView.property(created)))
        .onFailure(rc::fail);
  }

  /** {@code GET …/properties/{name}[?resource_type=…]}: with a resource type, {@code name} carries its prefix. */
  public void showProperty(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String requested = rc.pathParam("property_name");
    String resourceType = rc.queryParams().get("resource_type");
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_PROPERTY)
        .compose(ns -> {
          Future<String> name = Future.succeededFuture(requested);
          if (resourceType != null && !resourceType.isEmpty()) {
            access.require(caller, ns, Action.GET_METADEF_RESOURCE_TYPE);
            name = repo.associations(ns.id()).map(all -> {
              String prefix = all.stream().filter(a -> a.name().equals(resourceType)).findFirst()
                  .orElseThrow(() -> ImagoException.notFound(
                      "Failed to find resource type %s in namespace %s", resourceType, ns.namespace()))
                  .prefix();
              if (prefix == null || prefix.isEmpty() || !requested.startsWith(prefix)) {
                throw ImagoException.notFound("Property %s does not start with the expected resource type association"
                    + " prefix of '%s'.", requested, prefix);
              }
              return requested.substring(prefix.length());
            });
          }
          return name.compose(n -> repo.property(ns.id(), n).map(found -> found.orElseThrow(
              () -> propertyNotFound(n, ns))));
        })
        .onSuccess(p -> JsonBodies.send(rc, 200, MetadefView.property(p)))
        .onFailure(rc::fail);
  }

  public void updateProperty(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("property_name");
    MetadefProperty p = bodies.property(JsonBodies.parse(rc));
    access.forAction(caller, rc.pathParam("namespace"), Action.MODIFY_METADEF_PROPERTY)
        .compose(ns -> repo.updateProperty(ns, name, p).map(updated -> updated.orElseThrow(
            () -> propertyNotFound(name, ns))))
        .onSuccess(updated -> JsonBodies.send(rc, 200, MetadefView.property(updated)))
        .onFailure(rc::fail);
  }

  public void deleteProperty(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("property_name");
    access.forAction(caller, rc.pathParam("namespace"), Action.REMOVE_METADEF_PROPERTY)
        .compose(ns -> repo.property(ns.id(), name).compose(found -> {
          found.orElseThrow(() -> propertyNotFound(name, ns));
          protectedChild(ns, "property", name);
          return repo.deleteProperty(ns.id(), name);
        }))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private static ImagoException propertyNotFound(String name, Namespace ns) {
    return ImagoException.notFound("Metadata definition property not found for namespace=%s and property=%s",
        ns.namespace(), name);
  }

  // ----------------------------------------------------------------------------- tags

  /** {@code GET …/tags}: {@code limit}, {@code marker}, {@code sort_key}, {@code sort_dir} (default desc). */
  public void listTags(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    Map<String, String> q = params(rc);
    boolean ascending = MetadefNamespacesHandler.sortDir(q.getOrDefault("sort_dir", "desc")).equals("asc");
    String sortKey = q.getOrDefault("sort_key", "created_at");
    if (!TAG_SORT_KEYS.contains(sortKey)) {
      throw ImagoException.badRequest("Invalid sort key: %s", sortKey);
    }
    String limitParam = q.get("limit");
    int limit = limitParam == null || limitParam.isEmpty() ? -1
        : MetadefNamespacesHandler.limit(limitParam, 0, Integer.MAX_VALUE);
    String markerName = q.get("marker");
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_TAGS)
        .compose(ns -> {
          Future<Optional<MetadefTag>> marker = markerName == null || markerName.isEmpty()
              ? Future.succeededFuture(Optional.empty()) : repo.tag(ns.id(), markerName).map(found -> {
                found.orElseThrow(() -> tagNotFound(markerName, ns));
                return found;
              });
          return marker.compose(m -> repo.tags(ns.id(), m.orElse(null), limit, sortKey, ascending));
        })
        .map(tags -> {
          JsonArray out = new JsonArray();
          tags.forEach(t -> out.add(new JsonObject().put("name", t.name())));
          return new JsonObject().put("tags", out);
        })
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /**
   * {@code POST …/tags} {@code {"tags": [{"name": …}]}} → 201: replaces every tag, or adds to them
   * with {@code X-Openstack-Append: True}; duplicates (ignoring case) → 409.
   */
  public void createTags(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    List<String> names = bodies.tags(JsonBodies.parse(rc));
    String appendHeader = rc.request().getHeader("X-Openstack-Append");
    boolean append = appendHeader != null && TRUE_STRINGS.contains(appendHeader.trim().toLowerCase(Locale.ROOT));
    access.forAction(caller, rc.pathParam("namespace"), Action.ADD_METADEF_TAGS)
        .compose(ns -> {
          Map<String, String> seen = new LinkedHashMap<>();
          for (String n : names) {
            if (seen.put(n.toLowerCase(Locale.ROOT), n) != null) {
              throw ImagoException.conflict("A metadata tag with name=%s already exists in namespace=%s.", n,
                  ns.namespace());
            }
          }
          return repo.addTags(ns, names, append, limits);
        })
        .map(tags -> {
          JsonArray out = new JsonArray();
          tags.forEach(t -> out.add(new JsonObject().put("name", t.name())));
          return new JsonObject().put("tags", out);
        })
        .onSuccess(body -> JsonBodies.send(rc, 201, body))
        .onFailure(rc::fail);
  }

  /** {@code POST …/tags/{name}} (no body) → 201. */
  public void createTag(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("tag_name");
    access.visible(caller, rc.pathParam("namespace"))
        .compose(ns -> {
          bodies.tagName(name);
          access.require(caller, ns, Action.ADD_METADEF_TAG);
          return repo.addTag(ns, name, limits);
        })
        .onSuccess(t -> JsonBodies.send(rc, 201, MetadefView.tag(t)))
        .onFailure(rc::fail);
  }

  public void showTag(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String name = rc.pathParam("tag_name");
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_TAG)
        .compose(ns -> repo.tag(ns.id(), name).map(found -> found.orElseThrow(() -> tagNotFound(name, ns))))
        .onSuccess(t -> JsonBodies.send(rc, 200, MetadefView.tag(t)))
        .onFailure(rc::fail);
  }

  /** {@code PUT …/tags/{name}} {@code {"name": "new"}}: rename. */
  public void updateTag(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("tag_name");
    String newName = bodies.tag(JsonBodies.parse(rc));
    access.forAction(caller, rc.pathParam("namespace"), Action.MODIFY_METADEF_TAG)
        .compose(ns -> repo.renameTag(ns, name, newName).map(updated -> updated.orElseThrow(
            () -> tagNotFound(name, ns))))
        .onSuccess(t -> JsonBodies.send(rc, 200, MetadefView.tag(t)))
        .onFailure(rc::fail);
  }

  public void deleteTag(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String name = rc.pathParam("tag_name");
    access.forAction(caller, rc.pathParam("namespace"), Action.DELETE_METADEF_TAG)
        .compose(ns -> repo.tag(ns.id(), name).compose(found -> {
          found.orElseThrow(() -> tagNotFound(name, ns));
          protectedChild(ns, "tag", name);
          return repo.deleteTag(ns.id(), name);
        }))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private static ImagoException tagNotFound(String name, Namespace ns) {
    return ImagoException.notFound("Metadata definition tag not found for namespace=%s and tag=%s", ns.namespace(),
        name);
  }

  // ---------------------------------------------------------------------------------------------

  private static void protectedChild(Namespace ns, String kind, String name) {
    if (ns.protectedNow()) {
      throw ImagoException.forbidden("Metadata definition %s %s is protected and cannot be deleted.", kind, name);
    }
  }

  private static Map<String, String> params(RoutingContext rc) {
    Map<String, String> last = new LinkedHashMap<>();
    QueryString.parse(rc.request().query()).forEach(p -> last.put(p.getKey(), p.getValue()));
    return last;
  }
}
