package io.imago.data;

import io.imago.store.ByteRange;

/**
 * The part of an image a download asks for, resolved against the image's size once the download
 * use case knows it (the API parses the {@code Range} header into one). Glance's outcomes
 * (spec/images-api.md §4.7): one range → 206, several → 400, unparsable or outside the data → 416.
 */
@FunctionalInterface
public interface RangeRequest {
  /** The whole image: no {@code Range} header. */
  RangeRequest WHOLE = size -> new Full();

  Outcome resolve(long size);

  /** The outcome of resolving a request against a size. */
  sealed interface Outcome permits Full, Partial, Multiple, Unsatisfiable {}

  /** No range: the whole image. */
  record Full() implements Outcome {}

  /** One satisfiable range. */
  record Partial(ByteRange range) implements Outcome {}

  /** More than one range: Glance answers 400. */
  record Multiple() implements Outcome {}

  /** Not parsable, or outside the data: 416 with {@code Content-Range: bytes *}{@code /size}. */
  record Unsatisfiable() implements Outcome {}
}
