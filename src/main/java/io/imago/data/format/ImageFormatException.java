package io.imago.data.format;

/**
 * The bytes are not (a well-formed instance of) the format an inspector looks for: a bad
 * signature, a region table that points backwards, a count past its limit. The detector takes the
 * inspector out of consideration with this reason; it never escapes the detector.
 */
public final class ImageFormatException extends RuntimeException {
  public ImageFormatException(String message) {
    super(message, null, false, false);
  }
}
