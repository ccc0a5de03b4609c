package io.imago.api;

import io.imago.testing.ImagoServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link MetadefRbacContract} with Glance's secure-RBAC defaults ({@code enforce_new_defaults: true}). */
class MetadefRbacIT extends MetadefRbacContract {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  @Override
  ImagoServer server() {
    return server;
  }

  @Override
  boolean secureRbac() {
    return true;
  }
}
