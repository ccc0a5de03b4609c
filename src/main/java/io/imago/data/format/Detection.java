package io.imago.data.format;

import java.util.List;
import java.util.Map;

/**
 * What a stream turned out to be.
 *
 * @param matches every format other than raw whose inspector matched, in {@link FormatDetector#FORMATS}
 *     order; empty means raw
 * @param excluded formats whose signature was there but whose structure was not, with the reason
 * @param size bytes seen
 * @param peakHeld the most bytes the inspectors held at once
 */
public record Detection(List<Match> matches, Map<String, String> excluded, long size, int peakHeld) {
  /**
   * One matching format.
   *
   * @param virtualSize from its header; null when the header gives none
   * @param failures its failed safety checks by name, with their reasons
   */
  public record Match(String format, Long virtualSize, Map<String, String> failures) {}

  /** The format names of the matches, or just raw. */
  public List<String> formats() {
    return matches.isEmpty() ? List.of("raw") : matches.stream().map(Match::format).toList();
  }
}
