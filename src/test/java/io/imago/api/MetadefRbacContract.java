package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every metadefs action for every persona — an admin, a project member, a project reader, a
 * project user without roles, and a member of another project — against a private namespace of
 * the project and a public one of the other project, under one of Glance's policy defaults
 * (spec/metadefs.md §7): writes are admin-only in both; reads need {@code reader} (secure RBAC)
 * or nothing (legacy); a namespace the caller may not see is a 404, a denied action on one it
 * sees a 403.
 */
abstract class MetadefRbacContract {
  private static final String NS = "/v2/metadefs/namespaces";

  abstract ImagoServer server();

  abstract boolean secureRbac();

  record Persona(String name, String project, boolean admin, boolean reader, Http http) {}

  private List<Persona> personas() {
    ImagoServer s = server();
    return List.of(
        new Persona("admin", "p-admin", true, true, s.http().as("p-admin", "admin", "member", "reader")),
        new Persona("member", "p-one", false, true, s.http().as("p-one", "member", "reader")),
        new Persona("reader", "p-one", false, true, s.http().as("p-one", "reader")),
        new Persona("no roles", "p-one", false, false, s.http().as("p-one")),
        new Persona("other project", "p-two", false, true, s.http().as("p-two", "member", "reader")));
  }

  private Http admin() {
    return personas().get(0).http();
  }

  /** A fresh namespace with one of each child, owned by {@code owner}. */
  private String namespace(String owner, String visibility) {
    String name = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
    admin().post(NS, new JsonObject().put("namespace", name).put("owner", owner).put("visibility", visibility)
        .put("resource_type_associations", new JsonArray().add(new JsonObject().put("name", "OS::Glance::Image")))
        .put("properties", new JsonObject().put("p", new JsonObject().put("title", "P").put("type", "string")))
        .put("objects", new JsonArray().add(new JsonObject().put("name", "o")))
        .put("tags", new JsonArray().add(new JsonObject().put("name", "t")))).expect(201);
    return name;
  }

  private static boolean sees(Persona p, String owner, String visibility) {
    return p.admin() || visibility.equals("public") || p.project().equals(owner);
  }

  @Test
  void readsFollowVisibilityAndTheReaderRole() {
    List<String> failures = new ArrayList<>();
    for (String[] ns : List.of(new String[] {"p-one", "private"}, new String[] {"p-two", "public"})) {
      String name = namespace(ns[0], ns[1]);
      String base = NS + "/" + name;
      for (Persona p : personas()) {
        boolean visible = sees(p, ns[0], ns[1]);
        int expected = visible && (!secureRbac() || p.reader()) ? 200 : 404;
        for (String path : List.of(base, base + "/objects", base + "/objects/o", base + "/properties",
            base + "/properties/p", base + "/tags", base + "/tags/t", base + "/resource_types")) {
          int got = p.http().get(path).status();
          if (got != expected) {
            failures.add(p.name() + " GET " + path + " (" + ns[1] + "): " + got + ", expected " + expected);
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void listsNeedTheReaderRoleUnderSecureRbac() {
    String mine = namespace("p-one", "private");
    for (Persona p : personas()) {
      int expected = !secureRbac() || p.reader() ? 200 : 403;
      Http.Resp r = p.http().get(NS + "?limit=1000");
      assertThat(r.status()).as(p.name()).isEqualTo(expected);
      assertThat(p.http().get("/v2/metadefs/resource_types").status()).as(p.name()).isEqualTo(expected);
      if (expected == 200) {
        List<Object> names = r.json().getJsonArray("namespaces").stream()
            .map(n -> ((JsonObject) n).getValue("namespace")).toList();
        if (sees(p, "p-one", "private")) {
          assertThat(names).as(p.name()).contains(mine);
        } else {
          assertThat(names).as(p.name()).doesNotContain(mine);
        }
      }
    }
  }

  @Test
  void writesAreAdminOnly() {
    List<String> failures = new ArrayList<>();
    for (Persona p : personas()) {
      for (String[] ns : List.of(new String[] {"p-one", "private"}, new String[] {"p-two", "public"})) {
        String name = namespace(ns[0], ns[1]);
        String base = NS + "/" + name;
        boolean visible = sees(p, ns[0], ns[1]);
        int denied = visible && (!secureRbac() || p.reader()) ? 403 : 404;
        // in secure RBAC, a caller who may not get_metadef_namespace gets 404 for everything
        List<Object[]> calls = List.of(
            new Object[] {"POST", base + "/objects", new JsonObject().put("name", "o2"), 201},
            new Object[] {"PUT", base + "/objects/o", new JsonObject().put("name", "o"), 200},
            new Object[] {"POST", base + "/properties", new JsonObject().put("name", "q").put("title", "Q")
                .put("type", "string"), 201},
            new Object[] {"PUT", base + "/properties/p", new JsonObject().put("name", "p").put("title", "P")
                .put("type", "string"), 200},
            new Object[] {"POST", base + "/tags/t2", null, 201},
            new Object[] {"PUT", base + "/tags/t", new JsonObject().put("name", "t"), 200},
            new Object[] {"POST", base + "/tags", new JsonObject().put("tags", new JsonArray()
                .add(new JsonObject().put("name", "t")).add(new JsonObject().put("name", "t3"))), 201},
            new Object[] {"POST", base + "/resource_types", new JsonObject().put("name", "OS::Nova::Flavor"), 201},
            new Object[] {"DELETE", base + "/resource_types/OS::Glance::Image", null, 204},
            new Object[] {"DELETE", base + "/objects/o", null, 204},
            new Object[] {"DELETE", base + "/properties/p", null, 204},
            new Object[] {"DELETE", base + "/tags/t", null, 204},
            new Object[] {"DELETE", base + "/objects", null, 204},
            new Object[] {"DELETE", base + "/properties", null, 204},
            new Object[] {"DELETE", base + "/tags", null, 204},
            new Object[] {"PUT", base, new JsonObject().put("namespace", name).put("owner", ns[0])
                .put("visibility", ns[1]), 200},
            new Object[] {"DELETE", base, null, 204});
        for (Object[] c : calls) {
          int expected = p.admin() ? (Integer) c[3] : denied;
          Http.Resp r = switch ((String) c[0]) {
            case "POST" -> p.http().post((String) c[1], c[2]);
            case "PUT" -> p.http().put((String) c[1], c[2]);
            default -> p.http().delete((String) c[1]);
          };
          if (r.status() != expected) {
            failures.add(p.name() + " " + c[0] + " " + c[1] + " (" + ns[1] + "): " + r.status() + ", expected "
                + expected);
          }
        }
      }
      int create = p.http().post(NS, new JsonObject().put("namespace", "new-" + UUID.randomUUID())).status();
      if (create != (p.admin() ? 201 : 403)) {
        failures.add(p.name() + " POST " + NS + ": " + create);
      }
    }
    assertThat(failures).isEmpty();
  }
}
