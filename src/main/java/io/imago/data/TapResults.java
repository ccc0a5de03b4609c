package io.imago.data;

import java.util.IdentityHashMap;
import java.util.Map;

/** What each tap of a finished pass found, read by the tap: {@code results.get(md5)}. */
public final class TapResults {
  private final Map<Tap<?>, Object> results;

  TapResults(Map<Tap<?>, Object> results) {
    this.results = new IdentityHashMap<>(results);
  }

  /** The result of {@code tap}, which must have been one of the pass's taps. */
  @SuppressWarnings("unchecked")
  public <R> R get(Tap<R> tap) {
    if (!results.containsKey(tap)) {
      throw new IllegalArgumentException("tap: " + tap.name() + " (expected: a tap of this pass)");
    }
    return (R) results.get(tap);
  }
}
