package io.imago.api;

import static io.imago.testing.Http.assertGlanceError;
import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trusted identity headers keystonemiddleware would set (spec/keystone.md §2.1, §3), as the
 * {@code noauth} strategy reads them; compared with the reference Glance's context middleware.
 */
class IdentityHeadersIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private final Http http = server.http();

  @Test
  void invalidIdentityIs401() {
    // compared exactly, as Glance's context middleware does
    for (String status : new String[] {"Invalid", "invalid", "whatever", "confirmed", "CONFIRMED"}) {
      assertGlanceError(http.get("/v2/info/usage", "X-Identity-Status", status, "X-Project-Id", "p1",
          "X-Roles", "admin"), 401);
    }
    http.get("/v2/info/usage", "X-Identity-Status", "Confirmed", "X-Project-Id", "p1", "X-Roles", "reader")
        .expect(200);
  }

  @Test
  void noIdentityHeadersIsAnAdminOfProjectAdmin() {
    JsonObject image = Fixtures.createImage(http);
    assertThat(image.getString("owner")).isEqualTo("admin");
    // admin: may publicize, sees everything
    Fixtures.createImage(http, new JsonObject().put("visibility", "public"));
    String other = Fixtures.createImage(server.http().as("p-other", "member", "reader"),
        new JsonObject().put("visibility", "private")).getString("id");
    http.get("/v2/images/" + other).expect(200);
  }

  @Test
  void rolesAreLowerCasedAndTenantIdIsAnAlias() {
    Http upper = http.header("X-Identity-Status", "Confirmed").header("X-Tenant-Id", "p-tenant")
        .header("X-Roles", " Member , READER ");
    JsonObject image = Fixtures.createImage(upper, new JsonObject().put("visibility", "private"));
    assertThat(image.getString("owner")).isEqualTo("p-tenant");
    String id = image.getString("id");
    upper.get("/v2/images/" + id).expect(200);
    // same project by its X-Project-Id name
    server.http().as("p-tenant", "reader").get("/v2/images/" + id).expect(200);
    assertGlanceError(server.http().as("p-else", "reader").get("/v2/images/" + id), 404);

    // ADMIN is admin
    Http admin = http.header("X-Identity-Status", "Confirmed").header("X-Project-Id", "p-x").header("X-Roles", "ADMIN");
    admin.get("/v2/images/" + id).expect(200);
    Fixtures.createImage(admin, new JsonObject().put("visibility", "public"));
  }

  @Test
  void aProjectIdWinsOverTheTenantAlias() {
    Http both = http.header("X-Identity-Status", "Confirmed").header("X-Project-Id", "p-project")
        .header("X-Tenant-Id", "p-tenant").header("X-Roles", "member,reader");
    assertThat(Fixtures.createImage(both).getString("owner")).isEqualTo("p-project");
  }

  @Test
  void identityHeadersWithoutRolesAreNobodyInParticular() {
    Http noRoles = http.header("X-Identity-Status", "Confirmed").header("X-Project-Id", "p-none");
    // SRBAC: creating needs the member role
    assertGlanceError(noRoles.post("/v2/images", new JsonObject()), 403);
  }
}
