package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code metadefs.*} limits: over one, the create is a 413 and nothing is written. */
class MetadefLimitsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("metadefs.namespaces_per_project", "2")
      .with("metadefs.objects_per_namespace", "1")
      .with("metadefs.properties_per_namespace", "1")
      .with("metadefs.tags_per_namespace", "2");

  private final Http admin = server.http().as("p-admin", "admin", "member", "reader");
  private static final String NS = "/v2/metadefs/namespaces";

  @Test
  void namespacesPerProject() {
    admin.post(NS, new JsonObject().put("namespace", "l1").put("owner", "p-lim")).expect(201);
    admin.post(NS, new JsonObject().put("namespace", "l2").put("owner", "p-lim")).expect(201);
    assertGlanceError(admin.post(NS, new JsonObject().put("namespace", "l3").put("owner", "p-lim")), 413);
    admin.get(NS + "/l3").expect(404);
    admin.post(NS, new JsonObject().put("namespace", "l3").put("owner", "p-other")).expect(201);
  }

  @Test
  void childrenPerNamespace() {
    admin.post(NS, new JsonObject().put("namespace", "c1")).expect(201);
    String base = NS + "/c1";
    admin.post(base + "/objects", new JsonObject().put("name", "o1")).expect(201);
    assertGlanceError(admin.post(base + "/objects", new JsonObject().put("name", "o2")), 413);
    admin.post(base + "/properties", new JsonObject().put("name", "p1").put("title", "P").put("type", "string"))
        .expect(201);
    assertGlanceError(admin.post(base + "/properties", new JsonObject().put("name", "p2").put("title", "P")
        .put("type", "string")), 413);
    admin.post(base + "/tags/t1", null).expect(201);
    admin.post(base + "/tags/t2", null).expect(201);
    assertGlanceError(admin.post(base + "/tags/t3", null), 413);
    assertGlanceError(admin.post(base + "/tags", new JsonObject().put("tags", new JsonArray()
        .add(new JsonObject().put("name", "a"))), "X-Openstack-Append", "true"), 413);
    // replacing stays within the limit
    admin.post(base + "/tags", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "a"))
        .add(new JsonObject().put("name", "b")))).expect(201);
    assertThat(admin.get(base + "/tags").json().getJsonArray("tags")).hasSize(2);
    // and a namespace created with too much nested content is refused whole
    JsonArray objs = new JsonArray().add(new JsonObject().put("name", "x")).add(new JsonObject().put("name", "y"));
    assertGlanceError(admin.post(NS, new JsonObject().put("namespace", "c2").put("objects", objs)), 413);
    admin.get(NS + "/c2").expect(404);
  }
}
