package io.imago.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The two digests Glance computes for every image: MD5 ({@code checksum}) and SHA-512 ({@code os_hash_value}). */
final class Digests {
  private Digests() {}

  static MessageDigest md5() {
    return get("MD5");
  }

  static MessageDigest sha512() {
    return get("SHA-512");
  }

  static MessageDigest get(String algo) {
    try {
      return MessageDigest.getInstance(algo);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
