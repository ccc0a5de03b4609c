package io.imago.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line options: {@code --name value} or {@code --flag}; positional words kept in order.
 * Every option read is remembered, so a misspelt option is reported instead of silently ignored.
 */
public final class Options {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<String> positional = new ArrayList<>();
  private final Set<String> read = new TreeSet<>();

  public static Options parse(String... args) {
    Options o = new Options();
    for (int k = 0; k < args.length; k++) {
      String a = args[k];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          o.values.put(name.substring(0, eq), name.substring(eq + 1));
        } else if (k + 1 < args.length && !args[k + 1].startsWith("--")) {
          o.values.put(name, args[++k]);
        } else {
          o.values.put(name, "true");
        }
      } else {
        o.positional.add(a);
      }
    }
    return o;
  }

  public List<String> positional() {
    return positional;
  }

  public Options set(String name, String value) {
    values.put(name, value);
    return this;
  }

  public String str(String name, String def) {
    read.add(name);
    return values.getOrDefault(name, def);
  }

  public boolean has(String name) {
    read.add(name);
    return values.containsKey(name);
  }

  public boolean flag(String name) {
    return Boolean.parseBoolean(str(name, "false"));
  }

  public int integer(String name, int def) {
    return Integer.parseInt(str(name, Integer.toString(def)));
  }

  public double number(String name, double def) {
    return Double.parseDouble(str(name, Double.toString(def)));
  }

  /** A size: {@code 1048576}, {@code 64KiB}, {@code 64MiB}, {@code 2GiB}, {@code 100MB}, {@code 1G}. */
  public long bytes(String name, String def) {
    return parseBytes(str(name, def));
  }

  public Duration duration(String name, String def) {
    return parseDuration(str(name, def));
  }

  static long parseBytes(String s) {
    String t = s.trim();
    int k = 0;
    while (k < t.length() && (Character.isDigit(t.charAt(k)) || t.charAt(k) == '.')) {
      k++;
    }
    double n = Double.parseDouble(t.substring(0, k));
    String unit = t.substring(k).trim().toLowerCase();
    long mul = switch (unit) {
      case "", "b" -> 1L;
      case "k", "kib" -> 1L << 10;
      case "m", "mib" -> 1L << 20;
      case "g", "gib" -> 1L << 30;
      case "kb" -> 1_000L;
      case "mb" -> 1_000_000L;
      case "gb" -> 1_000_000_000L;
      default -> throw new IllegalArgumentException("unknown size unit in " + s);
    };
    return (long) (n * mul);
  }

  static Duration parseDuration(String s) {
    String t = s.trim().toLowerCase();
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("m")) {
      return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
    }
    if (t.endsWith("s")) {
      t = t.substring(0, t.length() - 1);
    }
    return Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
  }

  /** Options given but never read by anyone: probably misspelt. */
  public List<String> unused() {
    List<String> u = new ArrayList<>();
    for (String k : values.keySet()) {
      if (!read.contains(k)) {
        u.add("--" + k);
      }
    }
    return u;
  }

  /** All given options (for the report). */
  public Map<String, String> asMap() {
    return new LinkedHashMap<>(values);
  }
}
