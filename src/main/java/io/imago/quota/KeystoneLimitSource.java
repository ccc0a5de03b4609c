package io.imago.quota;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.imago.config.KeystoneConfig;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.imago.domain.QuotaResource;
import io.imago.keystone.KeystoneClient.Scope;
import io.imago.keystone.KeystoneClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A project's limits from Keystone's unified limits (spec/security.md §5.2), as Glance reads them
 * through oslo.limit: the registered default of each resource for the image service
 * ({@code GET /v3/registered_limits?service_id=…}), overridden by the project's own limit
 * ({@code GET /v3/limits?service_id=…&project_id=…}). Read with the service user's token —
 * system-scoped by default ({@code [oslo_limit] system_scope = all}), because Keystone shows a
 * project-scoped token only the limits of its own project — and kept for {@code cache_time}.
 *
 * <p>The image service is {@code [oslo_limit] endpoint_id}'s service, or else the first service
 * of type {@code endpoint_service_type} in the service user's catalog. A resource Keystone has no
 * limit for is missing from the map (unlimited, as {@link LimitSource} says); resource names Imago
 * does not know are ignored.
 */
public final class KeystoneLimitSource implements LimitSource {
  private final KeystoneClient keystone;
  private final KeystoneConfig config;
  private final Scope scope;
  private final AsyncCache<String, Map<QuotaResource, Long>> cache;
  private final AtomicReference<Future<String>> serviceId = new AtomicReference<>();

  public KeystoneLimitSource(KeystoneClient keystone, KeystoneConfig config) {
    this.keystone = keystone;
    this.config = config;
    this.scope = config.limitsSystemScope().equals("all") ? Scope.SYSTEM : Scope.PROJECT;
    this.cache = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(config.limitsCacheTime()).buildAsync();
  }

  @Override
  public Future<Map<QuotaResource, Long>> limitsFor(String projectId) {
    Context ctx = Vertx.currentContext();
    Future<Map<QuotaResource, Long>> limits = Future.fromCompletionStage(cache.get(projectId,
        (p, executor) -> fetch(p).toCompletionStage().toCompletableFuture()));
    return ctx == null ? limits : Future.fromCompletionStage(limits.toCompletionStage(), ctx);
  }

  private Future<Map<QuotaResource, Long>> fetch(String projectId) {
    return serviceId().compose(service -> {
      String s = encode(service);
      Future<JsonObject> registered = keystone.get("/registered_limits?service_id=" + s, scope);
      Future<JsonObject> project = keystone.get("/limits?service_id=" + s + "&project_id=" + encode(projectId), scope);
      return Future.all(registered, project).map(v -> {
        Map<QuotaResource, Long> out = new EnumMap<>(QuotaResource.class);
        put(out, registered.result().getJsonArray("registered_limits"), "default_limit", null);
        put(out, project.result().getJsonArray("limits"), "resource_limit", projectId);
        return Map.copyOf(out);
      });
    });
  }

  private static void put(Map<QuotaResource, Long> out, JsonArray entries, String field, String projectId) {
    if (entries == null) {
      return;
    }
    for (Object o : entries) {
      if (!(o instanceof JsonObject e) || !(e.getValue(field) instanceof Number n)) {
        continue;
      }
      // Keystone filters by project already; a domain-level limit (no project_id) is not ours
      if (projectId != null && !projectId.equals(e.getString("project_id"))) {
        continue;
      }
      QuotaResource r = resource(e.getString("resource_name"));
      if (r != null) {
        out.put(r, n.longValue());
      }
    }
  }

  private static QuotaResource resource(String name) {
    for (QuotaResource r : QuotaResource.values()) {
      if (r.resourceName().equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** The image service's id, looked up once in the service user's catalog. */
  private Future<String> serviceId() {
    Future<String> current = serviceId.get();
    if (current != null && !current.failed()) {
      return current;
    }
    Future<String> fresh = keystone.serviceToken(scope).compose(token -> {
      JsonArray catalog = token.token().getJsonArray("catalog");
      if (catalog != null) {
        for (Object o : catalog) {
          if (o instanceof JsonObject service && matches(service)) {
            return Future.succeededFuture(service.getString("id"));
          }
        }
      }
      return Future.failedFuture(new ImagoException(ErrorKind.UNAVAILABLE,
          "No image service (endpoint_id %s, type %s) in the catalog of Imago's service user: cannot read limits",
          config.limitsEndpointId(), config.limitsServiceType()));
    });
    serviceId.compareAndSet(current, fresh);
    return fresh;
  }

  private boolean matches(JsonObject service) {
    if (config.limitsEndpointId() == null) {
      return config.limitsServiceType().equals(service.getString("type"));
    }
    JsonArray endpoints = service.getJsonArray("endpoints");
    if (endpoints != null) {
      for (Object e : endpoints) {
        if (e instanceof JsonObject endpoint && config.limitsEndpointId().equals(endpoint.getString("id"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
