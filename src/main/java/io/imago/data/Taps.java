package io.imago.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/** The taps every upload has: its size (with a limit), its digests, and a meter. */
public final class Taps {
  private Taps() {}

  /**
   * Counts the bytes; one past {@code limit} fails the upload at once with {@code overLimit} of the
   * count so far (a 413 from {@code image_size_cap} or the storage quota).
   */
  public static Tap<Long> size(long limit, LongFunction<? extends RuntimeException> overLimit) {
    return new Tap<>() {
      private long count;

      @Override
      public String name() {
        return "size";
      }

      @Override
      public boolean inline() {
        return true;
      }

      @Override
      public void accept(ByteBuffer bytes) {
        count += bytes.remaining();
        if (count > limit) {
          throw overLimit.apply(count);
        }
      }

      @Override
      public Long result() {
        return count;
      }
    };
  }

  /** A digest of every byte, as lowercase hex: MD5 for {@code checksum}, the {@code os_hash_algo}. */
  public static Tap<String> digest(String name, String jdkAlgorithm) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(jdkAlgorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("digest: " + jdkAlgorithm + " (expected: an algorithm of this JDK)", e);
    }
    return new Tap<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void accept(ByteBuffer bytes) {
        md.update(bytes);
      }

      @Override
      public String result() {
        return HexFormat.of().formatHex(md.digest());
      }
    };
  }

  /** Tells {@code meter} the size of every buffer as it arrives (the upload-bytes counter). */
  public static Tap<Void> meter(LongConsumer meter) {
    return new Tap<>() {
      @Override
      public String name() {
        return "meter";
      }

      @Override
      public boolean inline() {
        return true;
      }

      @Override
      public void accept(ByteBuffer bytes) {
        meter.accept(bytes.remaining());
      }

      @Override
      public Void result() {
        return null;
      }
    };
  }
}
