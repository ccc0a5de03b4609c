package io.imago.api;

import io.imago.testing.ImagoServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link PropertyProtectionsContract} with a {@code policies} format file, whose values name
 * rules of the policy file.
 */
class PropertyProtectionsPoliciesIT extends PropertyProtectionsContract {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer()
      .with("policy.policy_file", file("policy.yaml", """
          billing_admin: "role:admin"
          billing_reader: "role:admin or role:member"
          """).toString())
      .with("policy.property_protection_file", file("protections.conf", """
          [^x_billing_]
          create = billing_admin
          read = billing_reader
          update = billing_admin
          delete = billing_admin

          [^x_secret_]
          create = billing_admin
          read = billing_admin
          update = billing_admin
          delete = billing_admin

          [.*]
          create = @
          read = @
          update = @
          delete = @
          """).toString())
      .with("policy.property_protection_rule_format", "policies");

  @Override
  ImagoServer server() {
    return server;
  }
}
