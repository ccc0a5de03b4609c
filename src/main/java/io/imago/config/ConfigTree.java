package io.imago.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed YAML document with typed getters that know where every value came from.
 *
 * <p>Each getter takes a dotted path ({@code images.image_size_cap}). The value comes from, in
 * order: an explicit override (command-line flags), the environment variable derived from the
 * path ({@code IMAGO_IMAGES_IMAGE_SIZE_CAP}) or one of its aliases, the file, and finally the
 * default passed by the caller. An empty value ({@code ""}, {@code ~}, {@code null}) means the
 * default. Every path read is recorded, with the value it resolved to, so that
 * {@link #rejectUnknown()} can refuse a file (or override) with a misspelt option instead of
 * silently ignoring it, and so that {@link #effective()} can show the configuration in force.
 */
public final class ConfigTree {
  private static final Pattern SIZE = Pattern.compile("(?i)^\\s*(\\d+)\\s*([KMGTPE]i?B?|B)?\\s*$");
  private static final Pattern DURATION = Pattern.compile("(?i)^\\s*(\\d+)\\s*(ms|s|m|h|d)?\\s*$");

  private final Map<String, Object> root;
  private final Map<String, String> env;
  private final Map<String, String> overrides;
  private final Map<String, List<String>> envAliases;
  private final Set<String> read = new LinkedHashSet<>();
  private final Map<String, Object> effective = new LinkedHashMap<>();

  public ConfigTree(
      Map<String, Object> root,
      Map<String, String> env,
      Map<String, String> overrides,
      Map<String, List<String>> envAliases) {
    this.root = root == null ? Map.of() : root;
    this.env = env;
    this.overrides = overrides;
    this.envAliases = envAliases;
  }

  /** The environment variable that overrides {@code path}: IMAGO_ + upper case, dots become '_'. */
  public static String envName(String path) {
    return "IMAGO_" + path.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  public String string(String path, String def) {
    Object v = raw(path);
    if (v instanceof Map || v instanceof List) {
      throw new ConfigException(path + ": expected a value, got a " + (v instanceof Map ? "section" : "list"));
    }
    String s = v == null ? "" : v.toString().trim();
    return record(path, s.isEmpty() || s.equals("~") || s.equalsIgnoreCase("null") ? def : s);
  }

  /**
   * A file or directory: relative to {@code base} (the data directory) unless absolute; unset gives
   * {@code def} resolved the same way, and null when {@code def} is null. Shown as written.
   */
  public Path path(String path, String def, Path base) {
    String value = string(path, def);
    return value == null ? null : base.resolve(value).toAbsolutePath().normalize();
  }

  public int integer(String path, int def) {
    long v = longValue(path, def);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ConfigException(path + ": " + v + " (expected: a 32-bit integer)");
    }
    return record(path, (int) v);
  }

  public long longValue(String path, long def) {
    return record(path, parse(path, def, s -> Long.parseLong(s.trim()), "an integer"));
  }

  public boolean bool(String path, boolean def) {
    return record(path, parse(path, def, s -> {
      switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "true": case "yes": case "on": case "1": return true;
        case "false": case "no": case "off": case "0": return false;
        default: throw new IllegalArgumentException();
      }
    }, "true or false"));
  }

  /** A byte count: a plain integer, or a number with a binary unit (KB, MB, GB, TB; KiB… too). */
  public long bytes(String path, long def) {
    return record(path, parse(path, def, ConfigTree::parseBytes, "a byte count such as 1073741824 or 1GB"));
  }

  /** A duration: an integer number of seconds, or a number with a unit (ms, s, m, h, d). */
  public Duration duration(String path, Duration def) {
    Duration d = parse(path, def, ConfigTree::parseDuration, "a duration such as 30s, 5m or 2h");
    effective.put(path, d == null ? null : d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms");
    return d;
  }

  /** A list: a YAML sequence, or a comma-separated string (how lists arrive from the environment). */
  public List<String> list(String path, List<String> def) {
    Object v = raw(path);
    if (v == null) {
      return record(path, def);
    }
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map || o instanceof List) {
          throw new ConfigException(path + ": expected a list of values");
        }
        if (o != null && !o.toString().isBlank()) {
          out.add(o.toString().trim());
        }
      }
    } else if (v instanceof Map) {
      throw new ConfigException(path + ": expected a list, got a section");
    } else {
      for (String part : v.toString().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return record(path, List.copyOf(out));
  }

  /**
   * The names of the sub-sections of a section (for maps such as per-project quotas): those in the
   * file and those the overrides name ({@code <path>.<key>.…}). The environment cannot add keys.
   */
  public Set<String> keys(String path) {
    Object v = fileValue(path);
    read.add(path);
    // an empty section shows as "path: null"; its entries, read as options, fill it in
    effective.put(path, null);
    Set<String> keys = new LinkedHashSet<>();
    if (v != null) {
      if (!(v instanceof Map<?, ?> m)) {
        throw new ConfigException(path + ": expected a section");
      }
      m.keySet().forEach(k -> keys.add(String.valueOf(k)));
    }
    String prefix = path + ".";
    for (String o : overrides.keySet()) {
      if (o.startsWith(prefix) && o.length() > prefix.length()) {
        keys.add(o.substring(prefix.length()).split("\\.")[0]);
      }
    }
    return keys;
  }

  /**
   * Fails on any option in the file or in the overrides that no getter asked for: a typo must not
   * go unnoticed. (Environment variables are not checked: the environment holds many unrelated
   * {@code IMAGO_*}-looking names, such as the test suite's {@code IMAGO_TEST_PG_URL}.)
   */
  public void rejectUnknown() {
    Set<String> unknown = new TreeSet<>();
    collectUnknown("", root, unknown);
    for (String path : overrides.keySet()) {
      if (!read.contains(path)) {
        unknown.add(path);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException("unknown configuration option(s): " + String.join(", ", unknown)
          + " (every option: conf/imago.yaml)");
    }
  }

  /** Every option path read so far, in the order the loader asked for them. */
  public Set<String> readPaths() {
    return Collections.unmodifiableSet(read);
  }

  /**
   * The value each option read so far resolved to (after overrides, environment, file and
   * default), by path, in reading order: strings, integers, longs (byte counts), booleans, lists,
   * durations as text ({@code 30s}); null where the option is unset.
   */
  public Map<String, Object> effective() {
    return Collections.unmodifiableMap(effective);
  }

  private void collectUnknown(String prefix, Map<?, ?> map, Set<String> unknown) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String path = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      if (read.contains(path)) {
        continue;
      }
      if (isParentOfRead(path)) {
        if (!(e.getValue() instanceof Map<?, ?> child)) {
          throw new ConfigException(path + ": expected a section (with options such as "
              + read.stream().filter(r -> r.startsWith(path + ".")).findFirst().orElseThrow() + ")");
        }
        collectUnknown(path, child, unknown);
      } else {
        unknown.add(path);
      }
    }
  }

  private boolean isParentOfRead(String path) {
    String p = path + ".";
    return read.stream().anyMatch(r -> r.startsWith(p));
  }

  private <T> T record(String path, T value) {
    effective.put(path, value);
    return value;
  }

  private <T> T parse(String path, T def, Function<String, T> parser, String expected) {
    Object v = raw(path);
    if (v == null) {
      return def;
    }
    if (v instanceof Map || v instanceof List) {
      throw new ConfigException(path + ": expected " + expected);
    }
    String s = v.toString();
    if (s.isBlank() || s.trim().equalsIgnoreCase("null") || s.trim().equals("~")) {
      return def;
    }
    try {
      return parser.apply(s);
    } catch (RuntimeException e) {
      throw new ConfigException(path + ": " + s + " (expected: " + expected + ")");
    }
  }

  private Object raw(String path) {
    read.add(path);
    if (overrides.containsKey(path)) {
      return overrides.get(path);
    }
    String fromEnv = env.get(envName(path));
    if (fromEnv != null) {
      return fromEnv;
    }
    for (String alias : envAliases.getOrDefault(path, List.of())) {
      if (env.get(alias) != null) {
        return env.get(alias);
      }
    }
    return fileValue(path);
  }

  private Object fileValue(String path) {
    Object node = root;
    for (String part : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(part);
    }
    return node;
  }

  static long parseBytes(String s) {
    Matcher m = SIZE.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(s);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    int shift = switch (unit.charAt(0)) {
      case 'K' -> 10;
      case 'M' -> 20;
      case 'G' -> 30;
      case 'T' -> 40;
      case 'P' -> 50;
      case 'E' -> 60;
      default -> 0;
    };
    if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException(s);
    }
    return n << shift;
  }

  static Duration parseDuration(String s) {
    Matcher m = DURATION.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(s);
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofSeconds(n);
    };
  }

  /** A copy of a YAML mapping with string keys, for callers that build trees in code (tests). */
  public static Map<String, Object> tree(Object... pathValuePairs) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (int i = 0; i < pathValuePairs.length; i += 2) {
      String[] parts = ((String) pathValuePairs[i]).split("\\.");
      Map<String, Object> node = root;
      for (int p = 0; p < parts.length - 1; p++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> child = (Map<String, Object>) node.computeIfAbsent(parts[p], k -> new LinkedHashMap<String, Object>());
        node = child;
      }
      node.put(parts[parts.length - 1], pathValuePairs[i + 1]);
    }
    return root;
  }
}
