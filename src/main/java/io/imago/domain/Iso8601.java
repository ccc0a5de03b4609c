package io.imago.domain;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ISO 8601 timestamps as Glance reads them in list filters: the grammar of the Python
 * {@code iso8601} library behind {@code oslo_utils.timeutils.parse_isotime} (year alone,
 * year-month, date, date and time with {@code T} or a space, basic or extended notation,
 * fractions with {@code .} or {@code ,}, {@code Z} or a {@code ±hh[:mm]} offset; no zone means
 * UTC). Used by {@link ImageQuery} for {@code created_at}/{@code updated_at} and by Glance's
 * operator split ({@code name=2020-01-01T10:00} is a value, not the operator {@code 2020-01-01T10}).
 */
public final class Iso8601 {
  private static final Pattern GRAMMAR = Pattern.compile(
      "(?<year>[0-9]{4})"
          + "(((-(?<monthdash>[0-9]{1,2}))|(?<month>[0-9]{2})(?!$))"
          + "(((-(?<daydash>[0-9]{1,2}))|(?<day>[0-9]{2}))"
          + "(((?<separator>[ T])(?<hour>[0-9]{2})(:?(?<minute>[0-9]{2}))?"
          + "(:?(?<second>[0-9]{1,2})([.,](?<fraction>[0-9]+))?)?"
          + "(?<timezone>Z|((?<tzsign>[-+])(?<tzhour>[0-9]{2}):?(?<tzminute>[0-9]{2})?))?)?))?)?");

  private Iso8601() {}

  /** The instant {@code text} denotes, or empty when it is not a timestamp Glance accepts. */
  public static Optional<Instant> parse(String text) {
    Matcher m = GRAMMAR.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      int year = Integer.parseInt(m.group("year"));
      int month = number(m, "month", number(m, "monthdash", 1));
      int day = number(m, "day", number(m, "daydash", 1));
      int hour = number(m, "hour", 0);
      int minute = number(m, "minute", 0);
      int second = number(m, "second", 0);
      int micros = 0;
      if (m.group("fraction") != null) {
        micros = new BigDecimal("0." + m.group("fraction")).movePointRight(6).intValue();
      }
      long offsetSeconds = 0;
      if (m.group("tzsign") != null) {
        int tzHours = Integer.parseInt(m.group("tzhour"));
        int tzMinutes = number(m, "tzminute", 0);
        // Python's timezone() accepts any offset strictly inside ±24 h (java.time stops at 18 h)
        offsetSeconds = (tzHours * 60L + tzMinutes) * 60L;
        if (offsetSeconds >= 24 * 3600) {
          return Optional.empty();
        }
        if ("-".equals(m.group("tzsign"))) {
          offsetSeconds = -offsetSeconds;
        }
      }
      if (year < 1) {
        return Optional.empty(); // Python's datetime starts at year 1
      }
      LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000);
      return Optional.of(local.toInstant(ZoneOffset.UTC).minusSeconds(offsetSeconds));
    } catch (DateTimeException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int number(Matcher m, String group, int absent) {
    String g = m.group(group);
    return g == null ? absent : Integer.parseInt(g);
  }
}
