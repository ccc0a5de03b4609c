package io.imago.domain;

/**
 * What went wrong, independent of HTTP. {@code api.ErrorMapper} owns the one table that turns a
 * kind into a status code and a Glance error body.
 */
public enum ErrorKind {
  /** Malformed or invalid input (Glance: 400). */
  BAD_REQUEST,
  /** No valid identity (401). */
  UNAUTHENTICATED,
  /** The caller can see the resource but may not do this (403). */
  FORBIDDEN,
  /** Missing, deleted, or invisible to the caller (404). */
  NOT_FOUND,
  /** Method not allowed on an existing resource (405). */
  METHOD_NOT_ALLOWED,
  /** State conflict: wrong status, duplicate (409). */
  CONFLICT,
  /** The resource went away while we worked on it, e.g. deleted during upload (410). */
  GONE,
  /** Size cap, quota or body limit exceeded (413). */
  TOO_LARGE,
  /** Wrong request media type, or image data of the wrong format (415). */
  UNSUPPORTED_MEDIA_TYPE,
  /** Range outside the data (416). */
  RANGE_NOT_SATISFIABLE,
  /** A bug or an unexpected failure of ours (500). */
  INTERNAL,
  /** HTTP method we do not implement at all (501). */
  NOT_IMPLEMENTED,
  /** A dependency (store, database) is unavailable (503). */
  UNAVAILABLE
}
