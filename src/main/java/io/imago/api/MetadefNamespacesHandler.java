package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.db.MetadefRepository;
import io.imago.domain.Caller;
import io.imago.domain.ImagoException;
import io.imago.domain.metadef.Association;
import io.imago.domain.metadef.Namespace;
import io.imago.domain.metadef.NamespaceDocument;
import io.imago.domain.metadef.NamespaceQuery;
import io.imago.policy.Action;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadefs namespaces and resource types: {@code /v2/metadefs/namespaces[/{ns}]},
 * {@code …/{ns}/resource_types[/{rt}]}, {@code /v2/metadefs/resource_types}, the bulk deletes
 * of a namespace's objects, properties and tags (spec/metadefs.md §2, §6), and the schema
 * documents. Every call on a namespace first finds it with the visibility rule (404), then asks
 * the policy ({@link MetadefAccess}).
 */
public final class MetadefNamespacesHandler {
  private static final String PATH = "/v2/metadefs/namespaces";

  private final ImagesConfig config;
  private final String publicEndpoint;
  private final MetadefAccess access;
  private final MetadefRepository repo;
  private final MetadefBodies bodies;
  private final MetadefSchemas schemas;
  private final MetadefRepository.Limits limits;

  public MetadefNamespacesHandler(ImagesConfig config, String publicEndpoint, MetadefAccess access,
      MetadefSchemas schemas, MetadefRepository.Limits limits) {
    this.config = config;
    this.publicEndpoint = publicEndpoint;
    this.access = access;
    this.repo = access.repo();
    this.schemas = schemas;
    this.bodies = new MetadefBodies(schemas);
    this.limits = limits;
  }

  /** {@code GET /v2/schemas/metadefs/{name}}, one handler per document. */
  public io.vertx.core.Handler<RoutingContext> schema(String name) {
    return rc -> schemas.send(rc, name);
  }

  /** {@code GET /v2/metadefs/namespaces}. */
  public void index(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    List<Map.Entry<String, String>> params = QueryString.parse(rc.request().query());
    Map<String, String> last = new LinkedHashMap<>();
    params.forEach(p -> last.put(p.getKey(), p.getValue()));
    int limit = limit(last.get("limit"), config.limitParamDefault(), config.apiLimitMax());
    String sortDir = sortDir(last.getOrDefault("sort_dir", "desc"));
    String sortKey = last.getOrDefault("sort_key", "created_at");
    if (!NamespaceQuery.SORT_KEYS.contains(sortKey)) {
      throw ImagoException.badRequest("Invalid sort key: %s", sortKey);
    }
    String visibility = last.get("visibility");
    if (visibility != null && !visibility.isEmpty() && !List.of("public", "private").contains(visibility)) {
      throw ImagoException.badRequest("Invalid visibility value: %s", visibility);
    }
    String rts = last.get("resource_types");
    List<String> resourceTypes = rts == null ? List.of()
        : Arrays.stream(rts.split(",")).filter(s -> !s.isEmpty()).toList();
    access.requireGlobal(caller, Action.GET_METADEF_NAMESPACES);
    access.requireGlobal(caller, Action.LIST_METADEF_RESOURCE_TYPES);
    String markerName = last.get("marker");
    Future<Namespace> marker = markerName == null ? Future.succeededFuture()
        : repo.findNamespace(markerName).map(found -> {
          Namespace m = found.orElseThrow(() -> ImagoException.notFound(
              "Metadata definition namespace=%s was not found.", markerName));
          if (!MetadefAccess.visibleTo(caller, m)) {
            throw ImagoException.forbidden("Forbidding request, metadata definition namespace=%s is not visible.",
                markerName);
          }
          return m;
        });
    boolean rtFilter = rts != null;
    marker.compose(m -> rtFilter && resourceTypes.isEmpty() ? Future.succeededFuture(List.<Namespace>of())
            : repo.listNamespaces(new NamespaceQuery(limit, m, sortKey, sortDir.equals("asc"),
                visibility == null || visibility.isEmpty() ? null : visibility, resourceTypes),
                caller.admin(), caller.projectId()))
        .compose(rows -> {
          List<Namespace> shown = rows.stream()
              .filter(ns -> access.allows(caller, ns, Action.GET_METADEF_NAMESPACE)).toList();
          return repo.associations(shown.stream().map(Namespace::id).toList()).map(assocs -> {
            JsonArray out = new JsonArray();
            shown.forEach(ns -> out.add(MetadefView.namespace(ns, assocs.get(ns.id()))));
            Map<String, String> links = new LinkedHashMap<>(last);
            links.remove("marker");
            JsonObject body = new JsonObject().put("namespaces", out)
                .put("first", links.isEmpty() ? PATH : PATH + "?" + QueryString.encode(links.entrySet()))
                .put("schema", "/v2/schemas/metadefs/namespaces");
            if (!shown.isEmpty() && shown.size() == limit) {
              links.put("marker", shown.get(shown.size() - 1).namespace());
              body.put("next", PATH + "?" + QueryString.encode(links.entrySet()));
            }
            return body;
          });
        })
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code POST /v2/metadefs/namespaces} → 201 with {@code Location}. */
  public void create(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    NamespaceDocument doc = bodies.namespace(JsonBodies.parse(rc), caller.projectId());
    Namespace probe = doc.namespace();
    for (Action a : creates(doc)) {
      access.requireGlobal(caller, a);
    }
    repo.createNamespace(doc, limits)
        .onSuccess(created -> {
          rc.response().putHeader("Location", VersionsHandler.baseUrl(rc.request(), publicEndpoint)
              + MetadefView.namespaceHref(probe.namespace()));
          JsonBodies.send(rc, 201, MetadefView.document(created, null));
        })
        .onFailure(rc::fail);
  }

  private static List<Action> creates(NamespaceDocument doc) {
    List<Action> out = new ArrayList<>(List.of(Action.ADD_METADEF_NAMESPACE));
    if (!doc.associations().isEmpty()) {
      out.add(Action.ADD_METADEF_RESOURCE_TYPE_ASSOCIATION);
    }
    if (!doc.objects().isEmpty()) {
      out.add(Action.ADD_METADEF_OBJECT);
    }
    if (!doc.properties().isEmpty()) {
      out.add(Action.ADD_METADEF_PROPERTY);
    }
    if (!doc.tags().isEmpty()) {
      out.add(Action.ADD_METADEF_TAG);
    }
    return out;
  }

  /** {@code GET /v2/metadefs/namespaces/{ns}[?resource_type=…]}. */
  public void show(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String resourceType = rc.queryParams().get("resource_type");
    access.forAction(caller, rc.pathParam("namespace"), Action.GET_METADEF_NAMESPACE)
        .compose(ns -> {
          for (Action a : List.of(Action.LIST_METADEF_RESOURCE_TYPES, Action.GET_METADEF_OBJECTS,
              Action.GET_METADEF_PROPERTIES, Action.GET_METADEF_TAGS)) {
            access.require(caller, ns, a);
          }
          return repo.document(ns);
        })
        .map(doc -> {
          String prefix = null;
          if (resourceType != null && !resourceType.isEmpty()) {
            prefix = doc.associations().stream().filter(a -> a.name().equals(resourceType)).findFirst()
                .map(Association::prefix).orElse(null);
          }
          return MetadefView.document(doc, prefix);
        })
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code PUT /v2/metadefs/namespaces/{ns}}: replaces the namespace's own fields (may rename). */
  public void update(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    Namespace n = bodies.namespace(JsonBodies.parse(rc), caller.projectId()).namespace();
    String name = rc.pathParam("namespace");
    access.visible(caller, name)
        .compose(ns -> {
          access.require(caller, ns, Action.MODIFY_METADEF_NAMESPACE);
          return repo.updateNamespace(ns.id(), n).compose(updated -> repo.associations(updated.id())
              .map(assocs -> MetadefView.namespace(updated, assocs)));
        })
        .onSuccess(out -> JsonBodies.send(rc, 200, out))
        .onFailure(rc::fail);
  }

  /** {@code DELETE /v2/metadefs/namespaces/{ns}} → 204, with everything it holds; protected → 403. */
  public void delete(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    access.forAction(caller, rc.pathParam("namespace"), Action.DELETE_METADEF_NAMESPACE)
        .compose(ns -> {
          if (ns.protectedNow()) {
            throw ImagoException.forbidden("Metadata definition namespace %s is protected and cannot be deleted.",
                ns.namespace());
          }
          return repo.deleteNamespace(ns.id());
        })
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  public void deleteObjects(RoutingContext rc) {
    deleteAll(rc, MetadefRepository.Kind.OBJECTS, null);
  }

  public void deleteProperties(RoutingContext rc) {
    deleteAll(rc, MetadefRepository.Kind.PROPERTIES, null);
  }

  public void deleteTags(RoutingContext rc) {
    deleteAll(rc, MetadefRepository.Kind.TAGS, Action.DELETE_METADEF_TAGS);
  }

  /** Glance checks {@code delete_metadef_namespace} for these (and {@code delete_metadef_tags} for tags). */
  private void deleteAll(RoutingContext rc, MetadefRepository.Kind kind, Action also) {
    Caller caller = Callers.writer(rc);
    access.forAction(caller, rc.pathParam("namespace"), Action.DELETE_METADEF_NAMESPACE)
        .compose(ns -> {
          if (also != null) {
            access.require(caller, ns, also);
          }
          if (ns.protectedNow()) {
            throw ImagoException.forbidden("Metadata definition namespace %s is protected and cannot be deleted.",
                ns.namespace());
          }
          return repo.deleteAll(ns.id(), kind);
        })
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  // ----------------------------------------------------------------------------- resource types

  /** {@code GET /v2/metadefs/resource_types}: every resource type in the database. */
  public void resourceTypes(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    access.requireGlobal(caller, Action.LIST_METADEF_RESOURCE_TYPES);
    repo.resourceTypes()
        .map(all -> {
          JsonArray out = new JsonArray();
          all.forEach(t -> out.add(MetadefView.resourceType(t)));
          return new JsonObject().put("resource_types", out);
        })
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code GET …/{ns}/resource_types}. */
  public void associations(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    access.forAction(caller, rc.pathParam("namespace"), Action.LIST_METADEF_RESOURCE_TYPES)
        .compose(ns -> repo.associations(ns.id()).map(all -> {
          JsonArray out = new JsonArray();
          if (access.allows(caller, ns, Action.GET_METADEF_RESOURCE_TYPE)) {
            all.forEach(a -> out.add(MetadefView.association(a)));
          }
          return new JsonObject().put("resource_type_associations", out);
        }))
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code POST …/{ns}/resource_types} → 201; creates the resource type when it is new. */
  public void associate(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    Association a = bodies.association(JsonBodies.parse(rc));
    access.visible(caller, rc.pathParam("namespace"))
        .compose(ns -> {
          access.require(caller, ns, Action.ADD_METADEF_RESOURCE_TYPE_ASSOCIATION);
          return repo.associate(ns, a);
        })
        .onSuccess(created -> JsonBodies.send(rc, 201, MetadefView.association(created)))
        .onFailure(rc::fail);
  }

  /** {@code DELETE …/{ns}/resource_types/{rt}} → 204; protected namespace → 403. */
  public void dissociate(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String rt = rc.pathParam("resource_type");
    access.forAction(caller, rc.pathParam("namespace"), Action.REMOVE_METADEF_RESOURCE_TYPE_ASSOCIATION)
        .compose(ns -> repo.associations(ns.id()).compose(all -> {
          if (all.stream().noneMatch(a -> a.name().equals(rt))) {
            throw ImagoException.notFound("Failed to find resource type %s to delete", rt);
          }
          if (ns.protectedNow()) {
            throw ImagoException.forbidden("Metadata definition resource-type-association %s is protected and cannot"
                + " be deleted.", rt);
          }
          return repo.dissociate(ns.id(), rt);
        }))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  // ----------------------------------------------------------------------------- parameters

  /** Glance's {@code limit}: an integer ≥ 0 (400 otherwise, where Glance answers 500 for a non-integer), capped. */
  static int limit(String value, int dflt, int max) {
    if (value == null) {
      return Math.min(dflt, max);
    }
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw ImagoException.badRequest("limit param must be an integer");
    }
    if (n < 0) {
      throw ImagoException.badRequest("limit param must be positive");
    }
    return Math.min(n, max);
  }

  static String sortDir(String dir) {
    if (!dir.equals("asc") && !dir.equals("desc")) {
      throw ImagoException.badRequest("Invalid sort direction: %s", dir);
    }
    return dir;
  }
}
