package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A failure with a {@link ErrorKind}. Client errors carry no stack trace (they are expected and
 * frequent); {@link ErrorKind#INTERNAL} and {@link ErrorKind#UNAVAILABLE} keep theirs for the log.
 */
public class ImagoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final transient Map<String, String> headers;

  public ImagoException(ErrorKind kind, String format, Object... args) {
    this(kind, Map.of(), null, format, args);
  }

  public ImagoException(ErrorKind kind, Map<String, String> headers, Throwable cause, String format, Object... args) {
    super(args.length == 0 ? format : String.format(format, args), cause, false, isServerError(kind));
    this.kind = requireNonNull(kind, "kind");
    this.headers = Map.copyOf(headers);
  }

  public ErrorKind kind() {
    return kind;
  }

  /** Extra response headers the error needs, e.g. {@code Allow} on 405. */
  public Map<String, String> headers() {
    return headers;
  }

  private static boolean isServerError(ErrorKind kind) {
    return kind == ErrorKind.INTERNAL || kind == ErrorKind.UNAVAILABLE;
  }

  public static ImagoException badRequest(String format, Object... args) {
    return new ImagoException(ErrorKind.BAD_REQUEST, format, args);
  }

  public static ImagoException forbidden(String format, Object... args) {
    return new ImagoException(ErrorKind.FORBIDDEN, format, args);
  }

  public static ImagoException notFound(String format, Object... args) {
    return new ImagoException(ErrorKind.NOT_FOUND, format, args);
  }

  public static ImagoException conflict(String format, Object... args) {
    return new ImagoException(ErrorKind.CONFLICT, format, args);
  }

  public static ImagoException tooLarge(String format, Object... args) {
    return new ImagoException(ErrorKind.TOO_LARGE, format, args);
  }

  public static ImagoException imageNotFound(String id) {
    return notFound("No image found with ID %s", id);
  }
}
