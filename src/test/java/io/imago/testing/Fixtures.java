package io.imago.testing;

import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** Deterministic test data and the common steps of image tests. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code n} pseudo-random bytes from {@code seed}: the same bytes every run. */
  public static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  public static String md5(byte[] b) {
    return digest("MD5", b);
  }

  public static String sha512(byte[] b) {
    return digest("SHA-512", b);
  }

  public static String digest(String algo, byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algo).digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates a raw/bare image with these extra attributes; returns its JSON. */
  public static JsonObject createImage(Http http, JsonObject attributes) {
    JsonObject body = new JsonObject().put("disk_format", "raw").put("container_format", "bare")
        .mergeIn(attributes);
    return http.post("/v2/images", body).expect(201).json();
  }

  public static JsonObject createImage(Http http) {
    return createImage(http, new JsonObject());
  }

  /** Creates an image and uploads {@code data}; returns the image id. */
  public static String activeImage(Http http, byte[] data) {
    String id = createImage(http).getString("id");
    http.putBytes("/v2/images/" + id + "/file", data).expect(204);
    return id;
  }
}
