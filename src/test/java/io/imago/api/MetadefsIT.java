package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every metadefs endpoint and status code of spec/metadefs.md with the default (secure RBAC)
 * policy, as an admin (every write is admin-only) and as project users.
 */
class MetadefsIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http admin = server.http().as("p-admin", "admin", "member", "reader");
  private final Http member = server.http().as("p-one", "member", "reader");
  private final Http other = server.http().as("p-two", "member", "reader");

  private static final String NS = "/v2/metadefs/namespaces";

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private String namespace(JsonObject extra) {
    String name = unique("ns");
    admin.post(NS, new JsonObject().put("namespace", name).mergeIn(extra)).expect(201);
    return name;
  }

  @Test
  void createShowUpdateDeleteNamespaceWithNestedContent() {
    String name = unique("TestNS");
    JsonObject body = new JsonObject().put("namespace", name).put("display_name", "T").put("description", "d")
        .put("visibility", "public").put("protected", false)
        .put("resource_type_associations", new JsonArray().add(new JsonObject().put("name", "OS::Glance::Image")
            .put("prefix", "hw_")))
        .put("properties", new JsonObject().put("p1", new JsonObject().put("title", "P1").put("type", "string")
            .put("enum", new JsonArray().add("a").add("b")).put("unknown", 1)))
        .put("objects", new JsonArray().add(new JsonObject().put("name", "o1").put("required", new JsonArray().add("q"))
            .put("properties", new JsonObject().put("q", new JsonObject().put("title", "Q").put("type", "integer")))))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "t1")));
    Http.Resp created = admin.post(NS, body).expect(201);
    assertThat(created.header("Location")).isEqualTo(server.baseUrl() + NS + "/" + name);
    JsonObject ns = admin.get(NS + "/" + name).expect(200).json();
    assertThat(ns.getString("owner")).isEqualTo("p-admin");
    assertThat(ns.getString("self")).isEqualTo(NS + "/" + name);
    assertThat(ns.getString("schema")).isEqualTo("/v2/schemas/metadefs/namespace");
    assertThat(ns.getJsonObject("properties").getJsonObject("p1").fieldNames())
        .containsExactlyInAnyOrder("title", "type", "enum");
    assertThat(ns.getJsonArray("objects").getJsonObject(0).getString("self")).isEqualTo(NS + "/" + name + "/objects/o1");
    assertThat(ns.getJsonArray("tags").getJsonObject(0).getString("name")).isEqualTo("t1");
    assertThat(ns.getJsonArray("resource_type_associations").getJsonObject(0).getString("prefix")).isEqualTo("hw_");

    JsonObject prefixed = admin.get(NS + "/" + name + "?resource_type=OS::Glance::Image").expect(200).json();
    assertThat(prefixed.getJsonObject("properties").fieldNames()).containsExactly("hw_p1");
    assertThat(prefixed.getJsonArray("objects").getJsonObject(0).getJsonArray("required").stream().toList())
        .containsExactly("hw_q");
    assertThat(admin.get(NS + "/" + name + "/properties/hw_p1?resource_type=OS::Glance::Image").expect(200).json()
        .getString("name")).isEqualTo("p1");

    // PUT: full replacement of the row, rename
    String renamed = name + "-2";
    JsonObject put = admin.put(NS + "/" + name, new JsonObject().put("namespace", renamed)).expect(200).json();
    assertThat(put.getString("visibility")).isEqualTo("private");
    assertThat(put.containsKey("display_name")).isFalse();
    admin.get(NS + "/" + name).expect(404);
    assertThat(admin.get(NS + "/" + renamed + "/objects").expect(200).json().getJsonArray("objects")).hasSize(1);

    admin.post(NS, new JsonObject().put("namespace", renamed)).expect(409);
    admin.delete(NS + "/" + renamed).expect(204);
    admin.get(NS + "/" + renamed + "/objects").expect(404);
  }

  @Test
  void bodyRules() {
    assertGlanceError(admin.post(NS, new JsonObject()), 400);
    assertGlanceError(admin.post(NS, new JsonObject().put("namespace", "x").put("bogus", 1)), 400);
    assertGlanceError(admin.post(NS, new JsonObject().put("namespace", "x").put("self", "y")), 403);
    assertGlanceError(admin.post(NS, new JsonObject().put("namespace", "x").put("visibility", "shared")), 400);
    assertGlanceError(admin.post(NS, new JsonObject().put("namespace", "x".repeat(81))), 400);
    assertGlanceError(member.post(NS, new JsonObject().put("namespace", unique("m"))), 403);
  }

  @Test
  void protectedNamespaceRefusesDeletes() {
    String name = namespace(new JsonObject().put("protected", true)
        .put("tags", new JsonArray().add(new JsonObject().put("name", "t"))));
    assertGlanceError(admin.delete(NS + "/" + name), 403);
    assertGlanceError(admin.delete(NS + "/" + name + "/tags"), 403);
    assertGlanceError(admin.delete(NS + "/" + name + "/tags/t"), 403);
    admin.put(NS + "/" + name, new JsonObject().put("namespace", name).put("protected", false)).expect(200);
    admin.delete(NS + "/" + name + "/tags").expect(204);
    admin.delete(NS + "/" + name).expect(204);
  }

  @Test
  void objectsPropertiesTags() {
    String name = namespace(new JsonObject());
    String base = NS + "/" + name;
    JsonObject obj = admin.post(base + "/objects", new JsonObject().put("name", "o").put("description", "d")
        .put("properties", new JsonObject().put("a", new JsonObject().put("title", "A").put("type", "string"))))
        .expect(201).json();
    assertThat(obj.getString("schema")).isEqualTo("/v2/schemas/metadefs/object");
    assertThat(admin.get(base + "/objects").expect(200).json().getString("schema"))
        .isEqualTo("v2/schemas/metadefs/objects");
    admin.post(base + "/objects", new JsonObject().put("name", "o")).expect(409);
    assertGlanceError(admin.post(base + "/objects", new JsonObject()), 400);
    admin.put(base + "/objects/o", new JsonObject().put("name", "o2")).expect(200);
    admin.get(base + "/objects/o").expect(404);
    admin.delete(base + "/objects/o2").expect(204);
    admin.delete(base + "/objects/o2").expect(404);

    JsonObject p = admin.post(base + "/properties", new JsonObject().put("name", "p").put("title", "P")
        .put("type", "integer").put("minimum", 0)).expect(201).json();
    assertThat(p.getString("name")).isEqualTo("p");
    assertGlanceError(admin.post(base + "/properties", new JsonObject().put("name", "q").put("type", "string")), 400);
    assertGlanceError(admin.post(base + "/properties", new JsonObject().put("name", "q").put("title", "Q")
        .put("type", "bogus")), 400);
    admin.post(base + "/properties", new JsonObject().put("name", "p").put("title", "P").put("type", "string"))
        .expect(409);
    assertThat(admin.get(base + "/properties").expect(200).json().getJsonObject("properties").getJsonObject("p")
        .containsKey("name")).isFalse();
    admin.put(base + "/properties/p", new JsonObject().put("name", "p2").put("title", "P").put("type", "string"))
        .expect(200);
    admin.delete(base + "/properties/p2").expect(204);

    admin.post(base + "/tags/Alpha", null).expect(201);
    admin.post(base + "/tags/alpha", null).expect(409);
    admin.post(base + "/tags", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "b"))
        .add(new JsonObject().put("name", "c")))).expect(201);
    assertThat(tagNames(base)).containsExactlyInAnyOrder("b", "c");
    admin.post(base + "/tags", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "d"))),
        "X-Openstack-Append", "True").expect(201);
    assertThat(tagNames(base)).containsExactlyInAnyOrder("b", "c", "d");
    admin.post(base + "/tags", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "B"))),
        "X-Openstack-Append", "True").expect(409);
    admin.post(base + "/tags", new JsonObject().put("tags", new JsonArray().add(new JsonObject().put("name", "x"))
        .add(new JsonObject().put("name", "X")))).expect(409);
    admin.put(base + "/tags/b", new JsonObject().put("name", "bb")).expect(200);
    admin.get(base + "/tags/bb").expect(200);
    admin.delete(base + "/tags/bb").expect(204);
    admin.delete(base + "/tags").expect(204);
    assertThat(tagNames(base)).isEmpty();
  }

  private List<Object> tagNames(String base) {
    return admin.get(base + "/tags").expect(200).json().getJsonArray("tags").stream()
        .map(t -> ((JsonObject) t).getValue("name")).toList();
  }

  @Test
  void resourceTypes() {
    String name = namespace(new JsonObject());
    String base = NS + "/" + name;
    String rt = unique("OS::Test");
    JsonObject a = admin.post(base + "/resource_types", new JsonObject().put("name", rt).put("prefix", "x_")
        .put("properties_target", "image")).expect(201).json();
    assertThat(a.fieldNames()).containsExactlyInAnyOrder("name", "prefix", "properties_target", "created_at",
        "updated_at");
    admin.post(base + "/resource_types", new JsonObject().put("name", rt)).expect(409);
    assertThat(admin.get("/v2/metadefs/resource_types").expect(200).json().getJsonArray("resource_types").stream()
        .map(t -> ((JsonObject) t).getString("name"))).contains(rt);
    assertThat(admin.get(NS + "?resource_types=" + rt).expect(200).json().getJsonArray("namespaces")).hasSize(1);
    assertThat(admin.get(base + "/resource_types").expect(200).json().getJsonArray("resource_type_associations"))
        .hasSize(1);
    admin.delete(base + "/resource_types/" + rt).expect(204);
    admin.delete(base + "/resource_types/" + rt).expect(404);
  }

  @Test
  void visibilityAndPersonas() {
    String priv = namespace(new JsonObject().put("owner", "p-one"));
    String pub = namespace(new JsonObject().put("owner", "p-two").put("visibility", "public"));
    member.get(NS + "/" + priv).expect(200);
    other.get(NS + "/" + priv).expect(404);
    other.get(NS + "/" + priv + "/tags").expect(404);
    member.get(NS + "/" + pub).expect(200);
    assertGlanceError(member.put(NS + "/" + priv, new JsonObject().put("namespace", priv)), 403);
    assertGlanceError(other.put(NS + "/" + priv, new JsonObject().put("namespace", priv)), 404);
    assertGlanceError(member.delete(NS + "/" + pub), 403);
    assertGlanceError(member.post(NS + "/" + pub + "/tags/x", null), 403);
    assertGlanceError(other.post(NS + "/" + priv + "/tags/x", null), 404);
    List<Object> seen = member.get(NS + "?limit=1000").expect(200).json().getJsonArray("namespaces").stream()
        .map(n -> ((JsonObject) n).getValue("namespace")).toList();
    assertThat(seen).contains(priv, pub);
    List<Object> seenByOther = other.get(NS + "?limit=1000").expect(200).json().getJsonArray("namespaces").stream()
        .map(n -> ((JsonObject) n).getValue("namespace")).toList();
    assertThat(seenByOther).contains(pub).doesNotContain(priv);
  }

  @Test
  void listParameters() {
    assertGlanceError(admin.get(NS + "?limit=-1"), 400);
    assertGlanceError(admin.get(NS + "?limit=abc"), 400);
    assertGlanceError(admin.get(NS + "?sort_dir=up"), 400);
    assertGlanceError(admin.get(NS + "?visibility=shared"), 400);
    assertGlanceError(admin.get(NS + "?marker=does-not-exist"), 404);
    namespace(new JsonObject());
    namespace(new JsonObject());
    JsonObject page = admin.get(NS + "?limit=1").expect(200).json();
    assertThat(page.getJsonArray("namespaces")).hasSize(1);
    assertThat(page.getString("first")).isEqualTo(NS + "?limit=1");
    assertThat(page.getString("next")).startsWith(NS + "?limit=1&marker=");
  }

  @Test
  void schemas() {
    for (String name : MetadefSchemas.NAMES) {
      JsonObject s = admin.get("/v2/schemas/metadefs/" + name).expect(200).json();
      assertThat(s.getString("name")).isNotEmpty();
    }
    assertThat(admin.get("/v2/schemas/metadefs/resource_type").json().getString("name"))
        .isEqualTo("resource_type_association");
    assertThat(admin.get("/v2/schemas/metadefs/namespace").json().getBoolean("additionalProperties")).isFalse();
    assertGlanceError(admin.post("/v2/schemas/metadefs/tag", new JsonObject()), 405);
  }

  @Test
  void unknownNamespacesAndChildrenAre404AndOtherMethods405() {
    for (String path : List.of("/nope", "/nope/objects", "/nope/objects/o", "/nope/properties", "/nope/properties/p",
        "/nope/tags", "/nope/tags/t", "/nope/resource_types")) {
      assertGlanceError(admin.get(NS + path), 404);
    }
    String name = namespace(new JsonObject());
    for (String path : List.of("/objects/o", "/properties/p", "/tags/t")) {
      assertGlanceError(admin.get(NS + "/" + name + path), 404);
      assertGlanceError(admin.delete(NS + "/" + name + path), 404);
    }
    assertGlanceError(admin.delete(NS + "/" + name + "/resource_types/OS::Nope"), 404);
    assertGlanceError(admin.put(NS + "/" + name + "/tags/t", new JsonObject().put("name", "u")), 404);
    assertGlanceError(admin.put(NS + "/" + name + "/objects/o", new JsonObject().put("name", "o")), 404);
    Http.Resp r = admin.patch(NS + "/" + name, new JsonObject());
    assertGlanceError(r, 405);
    assertThat(r.header("Allow")).isEqualTo("GET, PUT, DELETE");
    assertThat(admin.patch(NS + "/" + name + "/tags/t", new JsonObject()).header("Allow"))
        .isEqualTo("GET, POST, PUT, DELETE");
    assertGlanceError(admin.send("GET", NS + "/" + name, java.net.http.HttpRequest.BodyPublishers.ofString("{}"),
        "Content-Type", "application/json"), 400);
    assertGlanceError(admin.post(NS + "/" + name + "/tags/x", "{}"), 400);
  }

  @Test
  void limitsAnswer413() {
    String name = namespace(new JsonObject());
    String base = NS + "/" + name;
    JsonArray tags = new JsonArray();
    for (int i = 0; i < 513; i++) {
      tags.add(new JsonObject().put("name", "t" + i));
    }
    assertGlanceError(admin.post(base + "/tags", new JsonObject().put("tags", tags)), 413);
  }
}
