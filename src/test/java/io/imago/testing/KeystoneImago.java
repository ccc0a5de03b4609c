package io.imago.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An Imago node with {@code auth.strategy: keystone} validating tokens with the real test Keystone
 * ({@link TestKeystone}) through a counting {@link KeystoneProxy}. Skips the test class, with the
 * reason, when Keystone is not installed ({@code .ci/run} installs it).
 *
 * <pre>
 * &#64;RegisterExtension static final KeystoneImago imago = new KeystoneImago();
 * </pre>
 */
public final class KeystoneImago implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> overrides = new LinkedHashMap<>();
  private final ImagoServer server = new ImagoServer();
  private TestKeystone keystone;
  private KeystoneProxy proxy;

  /** A configuration option by its dotted path. */
  public KeystoneImago with(String path, String value) {
    overrides.put(path, value);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    assumeTrue(TestKeystone.installed(), "Keystone is not installed (apt-get install keystone): skipping");
    keystone = TestKeystone.get();
    proxy = new KeystoneProxy(keystone.url());
    server.with("auth.strategy", "keystone")
        .with("auth.keystone_authtoken.auth_url", proxy.url() + "/v3")
        .with("auth.keystone_authtoken.www_authenticate_uri", keystone.url())
        .with("auth.keystone_authtoken.username", keystone.serviceUser())
        .with("auth.keystone_authtoken.password", keystone.serviceUserPassword())
        .with("auth.keystone_authtoken.project_name", "service");
    overrides.forEach(server::with);
    server.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.afterAll(context);
    if (proxy != null) {
      proxy.close();
    }
  }

  public TestKeystone keystone() {
    return keystone;
  }

  public KeystoneProxy proxy() {
    return proxy;
  }

  public ImagoServer server() {
    return server;
  }

  /** A client sending {@code X-Auth-Token: token}. */
  public Http http(TestKeystone.Token token) {
    return server.http().header("X-Auth-Token", token.id());
  }

  /** A client without a token. */
  public Http anonymous() {
    return server.http();
  }
}
