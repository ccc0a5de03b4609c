package io.imago.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** The events of every logger, kept in memory while open (logback's own list appender on the root). */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
    // logback is one per JVM: a CLI command run in-process by an earlier test (Main turns the
    // access logger off when logging.access_log is false) must not hide this test's access lines
    ((Logger) LoggerFactory.getLogger("io.imago.access")).setLevel(null);
  }

  public synchronized List<ILoggingEvent> events() {
    synchronized (appender.list) {
      return List.copyOf(appender.list);
    }
  }

  /** Events of {@code logger} (a name or its last segment, e.g. {@code ConnectionGuard}). */
  public List<ILoggingEvent> of(String logger) {
    return events().stream().filter(e -> e.getLoggerName().equals(logger) || e.getLoggerName().endsWith("." + logger))
        .collect(Collectors.toList());
  }

  /** Events at {@code level} or above. */
  public List<ILoggingEvent> atLeast(Level level) {
    return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(level)).collect(Collectors.toList());
  }

  /** An event as "LEVEL logger message key=value…", for assertions and failure messages. */
  public static String line(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
    if (e.getKeyValuePairs() != null) {
      e.getKeyValuePairs().forEach(kv -> b.append(' ').append(kv.key).append('=').append(kv.value));
    }
    return b.toString();
  }

  public void clear() {
    synchronized (appender.list) {
      appender.list.clear();
    }
  }

  @Override
  public void close() {
    root.detachAppender(appender);
  }
}
