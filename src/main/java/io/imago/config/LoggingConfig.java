package io.imago.config;

import java.util.List;
import java.util.Locale;

/**
 * Logs go to standard output, one event per line, with key/value fields ({@code request_id},
 * {@code image_id}, …).
 *
 * @param format {@code text} (human-readable, key=value pairs) or {@code json} (one JSON object per line)
 * @param level root level: {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}
 * @param accessLog one line per HTTP request (method, path, status, bytes, duration, request id)
 */
public record LoggingConfig(String format, String level, boolean accessLog) {
  public LoggingConfig {
    format = format.toLowerCase(Locale.ROOT);
    level = level.toLowerCase(Locale.ROOT);
    if (!List.of("text", "json").contains(format)) {
      throw new ConfigException("logging.format: " + format + " (expected: text or json)");
    }
    if (!List.of("error", "warn", "info", "debug", "trace").contains(level)) {
      throw new ConfigException("logging.level: " + level + " (expected: error, warn, info, debug or trace)");
    }
  }

  /** {@code logging.*} and their defaults. */
  static LoggingConfig read(ConfigTree t) {
    return new LoggingConfig(
        t.string("logging.format", "text"),
        t.string("logging.level", "info"),
        t.bool("logging.access_log", true));
  }
}
