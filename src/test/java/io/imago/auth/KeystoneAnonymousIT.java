package io.imago.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.KeystoneImago;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code auth.allow_anonymous_access} with Keystone (spec/keystone.md §3), under the legacy policy
 * defaults where Glance's anonymous reads are allowed: a request without a valid token reads what
 * is public and changes nothing.
 */
class KeystoneAnonymousIT {
  @RegisterExtension
  static final KeystoneImago imago = new KeystoneImago()
      .with("auth.keystone_authtoken.http_request_timeout", "20s")
      .with("auth.allow_anonymous_access", "true")
      .with("policy.enforce_new_defaults", "false");

  @Test
  void withoutAValidTokenOnlyPublicImagesAreReadAndNothingChanges() {
    Http admin = imago.http(imago.keystone().projectAdminToken());
    String pub = Fixtures.createImage(admin, new JsonObject().put("name", "pub").put("visibility", "public"))
        .getString("id");
    String priv = Fixtures.createImage(imago.http(imago.keystone().token("a-member")),
        new JsonObject().put("name", "priv")).getString("id");

    for (Http anonymous : List.of(imago.anonymous(), imago.anonymous().header("X-Auth-Token", "not-a-token"))) {
      JsonArray images = anonymous.get("/v2/images").expect(200).json().getJsonArray("images");
      List<String> ids = new ArrayList<>();
      images.forEach(i -> ids.add(((JsonObject) i).getString("id")));
      assertThat(ids).contains(pub).doesNotContain(priv);
      anonymous.get("/v2/images/" + pub).expect(200);
      Http.assertGlanceError(anonymous.get("/v2/images/" + priv), 404);

      Http.Resp create = anonymous.post("/v2/images", new JsonObject().put("name", "x"));
      Http.assertGlanceError(create, 403);
      assertThat(create.body()).contains("Read-only access");
      Http.assertGlanceError(anonymous.delete("/v2/images/" + pub), 403);
    }
    imago.http(imago.keystone().token("a-member")).get("/v2/images/" + pub).expect(200);
  }
}
