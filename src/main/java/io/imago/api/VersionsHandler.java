package io.imago.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The versions document and version negotiation (spec/images-api.md §0.1, §1). Clients detect
 * features by exact version ids, so the list follows Glance's conditional algorithm (its master
 * column): cache versions only with a cache, multi-store versions only with several stores.
 */
public final class VersionsHandler {
  /** Glance matches the {@code Accept} header by prefix and takes the rest as the version id. */
  private static final String VND_PREFIX = "application/vnd.openstack.images-";
  private static final String NEGOTIATED = "imago.versionNegotiated";

  private final List<String[]> versions;
  private final Set<String> accepted;
  private final String publicEndpoint;

  public VersionsHandler(boolean cacheEnabled, boolean multiStore, String publicEndpoint) {
    this.versions = versions(cacheEnabled, multiStore);
    Set<String> acc = new LinkedHashSet<>();
    acc.add("v2");
    for (String[] v : versions) {
      acc.add(v[0]);
    }
    this.accepted = Set.copyOf(acc);
    this.publicEndpoint = publicEndpoint;
  }

  /** (id, status) pairs in Glance's emission order. */
  static List<String[]> versions(boolean cache, boolean multiStore) {
    List<String[]> out = new ArrayList<>();
    if (cache) {
      out.add(new String[] {"v2.18", "CURRENT"});
      for (String v : List.of("v2.17", "v2.16", "v2.15", "v2.14")) {
        out.add(new String[] {v, "SUPPORTED"});
      }
    } else {
      out.add(new String[] {"v2.15", "SUPPORTED"});
    }
    if (multiStore) {
      for (String v : List.of("v2.13", "v2.12", "v2.11", "v2.10", "v2.9", "v2.8")) {
        out.add(new String[] {v, "SUPPORTED"});
      }
    } else {
      out.add(new String[] {"v2.9", "SUPPORTED"});
    }
    if (!cache) {
      out.add(new String[] {"v2.17", "CURRENT"});
    }
    for (int minor = 7; minor >= 0; minor--) {
      out.add(new String[] {"v2." + minor, "SUPPORTED"});
    }
    return out;
  }

  public JsonObject document(String base) {
    JsonArray list = new JsonArray();
    String href = base + "/v2/";
    for (String[] v : versions) {
      list.add(new JsonObject().put("id", v[0]).put("status", v[1])
          .put("links", new JsonArray().add(new JsonObject().put("rel", "self").put("href", href))));
    }
    return new JsonObject().put("versions", list);
  }

  /** The base URL of absolute links: {@code public_endpoint}, or the request's own scheme and host. */
  public static String baseUrl(HttpServerRequest req, String publicEndpoint) {
    if (publicEndpoint != null) {
      return publicEndpoint;
    }
    String host = req.getHeader("Host");
    if (host == null && req.authority() != null) {
      host = req.authority().toString();
    }
    if (host == null) {
      host = req.localAddress().hostAddress() + ":" + req.localAddress().port();
    }
    return req.scheme() + "://" + host;
  }

  /**
   * First handler of every request (Glance's {@code VersionNegotiationFilter}): answers
   * {@code /versions} (200) and unversioned paths (300), strips an accepted {@code /v2.N} prefix,
   * and maps the versioned media type onto {@code /v2}.
   *
   * <ul>
   *   <li>A path whose first segment is {@code versions} is the versions document, whatever the
   *       rest or the {@code Accept} header.
   *   <li>An {@code Accept} header that starts with {@code application/vnd.openstack.images-}
   *       selects the version instead of the URL; the path is then not stripped, so
   *       {@code GET /images} is the list and {@code GET /v2/images} a 404 (spec §0.1). An
   *       unknown version there is a 300, like an unknown URL prefix.
   *   <li>{@code /v2} itself goes on (it becomes a 302 after authentication, ERRATA 1).
   * </ul>
   */
  public void negotiate(RoutingContext rc) {
    if (rc.get(NEGOTIATED) != null) {
      // a request rerouted by this handler: its path is final
      rc.next();
      return;
    }
    String path = rc.normalizedPath();
    String rest = path.length() > 1 ? path.substring(1) : "";
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    String tail = slash < 0 ? "" : rest.substring(slash);
    if (first.equals("versions")) {
      send(rc, 200);
      return;
    }
    String accept = rc.request().getHeader("Accept");
    if (accept != null && accept.trim().startsWith(VND_PREFIX)) {
      String version = accept.trim().substring(VND_PREFIX.length());
      if (accepted.contains(version)) {
        reroute(rc, "/v2" + path);
      } else {
        send(rc, 300);
      }
      return;
    }
    if (first.equals("v2")) {
      rc.next();
      return;
    }
    if (accepted.contains(first)) {
      reroute(rc, "/v2" + tail);
      return;
    }
    send(rc, 300);
  }

  private static void reroute(RoutingContext rc, String path) {
    rc.put(NEGOTIATED, Boolean.TRUE);
    rc.reroute(rc.request().method(), path + query(rc));
  }

  private static String query(RoutingContext rc) {
    String q = rc.request().query();
    return q == null ? "" : "?" + q;
  }

  private void send(RoutingContext rc, int status) {
    rc.request().resume();
    JsonBodies.send(rc, status, document(baseUrl(rc.request(), publicEndpoint)));
  }
}
