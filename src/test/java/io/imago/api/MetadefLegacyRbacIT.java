package io.imago.api;

import io.imago.testing.ImagoServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link MetadefRbacContract} with Glance's legacy defaults ({@code enforce_new_defaults: false}). */
class MetadefLegacyRbacIT extends MetadefRbacContract {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer().with("policy.enforce_new_defaults", "false");

  @Override
  ImagoServer server() {
    return server;
  }

  @Override
  boolean secureRbac() {
    return false;
  }
}
