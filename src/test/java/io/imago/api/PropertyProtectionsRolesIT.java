package io.imago.api;

import io.imago.testing.ImagoServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PropertyProtectionsContract} with a {@code roles} format file. */
class PropertyProtectionsRolesIT extends PropertyProtectionsContract {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("policy.property_protection_file", file("protections.conf", """
          # admins manage billing codes, members may read them
          [^x_billing_]
          create = admin
          read = admin,member
          update = admin
          delete = admin

          [^x_secret_]
          create = admin
          read = ADMIN
          update = admin
          delete = admin

          [.*]
          create = @
          read = @
          update = @
          delete = @
          """).toString())
      .with("policy.property_protection_rule_format", "roles");

  @Override
  ImagoServer server() {
    return server;
  }
}
