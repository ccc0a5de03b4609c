package io.imago.keystone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the client makes of {@code auth_url} (its calls to Keystone are tested against the real one in the ITs). */
class KeystoneClientTest {
  @Test
  void authUrlsWithOrWithoutTheVersionReachV3() {
    assertThat(KeystoneClient.v3Base("http://ks:5000")).isEqualTo("http://ks:5000/v3");
    assertThat(KeystoneClient.v3Base("http://ks:5000/")).isEqualTo("http://ks:5000/v3");
    assertThat(KeystoneClient.v3Base("https://ks/identity/v3/")).isEqualTo("https://ks/identity/v3");
  }
}
