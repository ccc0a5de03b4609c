package io.imago.policy;

import io.imago.config.ConfigException;
import io.imago.config.PolicyConfig;
import io.imago.domain.Caller;
import io.imago.domain.PropertyAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's property protections (spec/security.md §2): which caller may create, read, update and
 * delete which custom property, from the INI file {@code policy.property_protection_file}.
 *
 * <p>Each section header is a regular expression searched (not anchored) in the property name;
 * sections are tried in file order and the first match decides; a property no section matches
 * is denied everything. In the {@code roles} format a value lists role names (compared
 * case-insensitively with the caller's roles and service roles); in the {@code policies} format
 * it names one policy rule, evaluated with an empty target. {@code @} allows everyone, {@code !}
 * and an empty value nobody. Base attributes and Glance's own {@code os_glance*} properties are
 * never subject to protections (the latter is what Glance 2025.2 achieves with its injected
 * allow-all section).
 *
 * <p>Unlike Glance, which starts and then answers 400 to every image request, an invalid file
 * stops the service at start (§2.3): see {@link #load}.
 */
public final class PropertyProtections {
  private static final Logger LOG = LoggerFactory.getLogger(PropertyProtections.class);
  /** Protections are off: every caller may do everything. */
  public static final PropertyProtections NONE = new PropertyProtections(List.of(), false, null, false);

  private static final List<String> OPERATIONS = List.of("create", "read", "update", "delete");
  /** Python's {@code RawConfigParser} section header. */
  private static final Pattern SECTION = Pattern.compile("\\[(.+)\\].*");
  /** Python's option line: the first {@code =} or {@code :} separates name and value. */
  private static final Pattern OPTION = Pattern.compile("(.*?)\\s*[=:]\\s*(.*)");

  /** One section: its pattern and, per operation, the roles (or the one rule name) it grants. */
  private record Section(String header, Pattern pattern, Map<PropertyAccess.Op, List<String>> grants) {}

  private final List<Section> sections;
  private final boolean policies;
  private final Policy policy;
  private final boolean enabled;

  private PropertyProtections(List<Section> sections, boolean policies, Policy policy, boolean enabled) {
    this.sections = List.copyOf(sections);
    this.policies = policies;
    this.policy = policy;
    this.enabled = enabled;
  }

  /**
   * The protections of a configuration ({@link #NONE} when no file is set). Blocking: call at
   * start.
   *
   * @throws ConfigException when the file is missing or unreadable, is not INI, has an invalid
   *     regular expression, a section without all four operations, {@code @} with {@code !}
   *     (roles format) or a list (policies format); the message names the file and section
   */
  public static PropertyProtections load(PolicyConfig config, Policy policy) {
    Path file = config.propertyProtectionFile();
    if (file == null) {
      return NONE;
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("property protection file not found: " + file + " (policy.property_protection_file)");
    } catch (IOException e) {
      throw new ConfigException("cannot read property protection file " + file + ": " + e);
    }
    PropertyProtections p = parse(text, file.toString(), config.propertyProtectionRuleFormat(), policy);
    LOG.atInfo().setMessage("property protections loaded").addKeyValue("file", file)
        .addKeyValue("format", config.propertyProtectionRuleFormat()).addKeyValue("sections", p.sections.size()).log();
    return p;
  }

  /**
   * Parses the text of a protection file.
   *
   * @param source names the file in messages
   * @param format {@code roles} or {@code policies}
   */
  public static PropertyProtections parse(String text, String source, String format, Policy policy) {
    boolean policies = format.equals("policies");
    String where = "property protection file " + source;
    Map<String, Map<String, String>> ini = readIni(text, where);
    Map<String, String> defaults = ini.getOrDefault("DEFAULT", Map.of());
    List<Section> sections = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> e : ini.entrySet()) {
      String header = e.getKey();
      if (header.equals("DEFAULT")) {
        continue;
      }
      String at = where + ": section [" + header + "]";
      Pattern pattern;
      try {
        pattern = Pattern.compile(header);
      } catch (PatternSyntaxException ex) {
        throw new ConfigException(at + ": not a valid regular expression: " + ex.getDescription());
      }
      Map<PropertyAccess.Op, List<String>> grants = new EnumMap<>(PropertyAccess.Op.class);
      for (String op : OPERATIONS) {
        String value = e.getValue().containsKey(op) ? e.getValue().get(op) : defaults.get(op);
        if (value == null) {
          throw new ConfigException(at + ": '" + op + "' is missing (every section needs create, read, update"
              + " and delete)");
        }
        List<String> granted = new ArrayList<>();
        if (value.isEmpty()) {
          LOG.atWarn().setMessage("property protection grants an operation to nobody (empty value)")
              .addKeyValue("file", source).addKeyValue("section", header).addKeyValue("operation", op).log();
        } else if (policies) {
          if (value.contains(",")) {
            throw new ConfigException(at + ": '" + op + "' lists several rules (" + value + "); the policies format"
                + " takes one rule name");
          }
          granted.add(value);
          if (!value.equals("@") && !value.equals("!") && policy instanceof RulePolicy rp
              && !rp.rules().contains(value)) {
            LOG.atWarn().setMessage("property protection names a policy rule that does not exist; it always denies")
                .addKeyValue("file", source).addKeyValue("section", header).addKeyValue("rule", value).log();
          }
        } else {
          for (String role : value.split(",", -1)) {
            granted.add(role.strip().toLowerCase(Locale.ROOT));
          }
          if (granted.contains("@") && granted.contains("!")) {
            throw new ConfigException(at + ": '" + op + "' combines '@' and '!' (" + value + ")");
          }
        }
        grants.put(PropertyAccess.Op.valueOf(op.toUpperCase(Locale.ROOT)), List.copyOf(granted));
      }
      sections.add(new Section(header, pattern, grants));
    }
    return new PropertyProtections(sections, policies, policy, true);
  }

  public boolean enabled() {
    return enabled;
  }

  /** What {@code caller} may do with each custom property. */
  public PropertyAccess forCaller(Caller caller) {
    if (!enabled || sections.isEmpty()) {
      // Glance: no file, or a file without sections, protects nothing
      return PropertyAccess.ALL;
    }
    Set<String> roles = new HashSet<>();
    caller.roles().forEach(r -> roles.add(r.toLowerCase(Locale.ROOT)));
    caller.serviceRoles().forEach(r -> roles.add(r.toLowerCase(Locale.ROOT)));
    return (key, op) -> allows(caller, roles, key, op);
  }

  private boolean allows(Caller caller, Set<String> roles, String key, PropertyAccess.Op op) {
    if (key.startsWith("os_glance")) {
      return true;
    }
    for (Section s : sections) {
      if (s.pattern().matcher(key).find()) {
        List<String> granted = s.grants().get(op);
        if (granted.isEmpty() || granted.contains("!")) {
          return false;
        }
        if (granted.contains("@")) {
          return true;
        }
        if (policies) {
          return policy.check(granted.get(0), caller, Map.of());
        }
        for (String r : granted) {
          if (roles.contains(r)) {
            return true;
          }
        }
        return false;
      }
    }
    return false;
  }

  /**
   * Python's {@code RawConfigParser} as Glance uses it: {@code #}/{@code ;} comment lines,
   * {@code [section]} headers, {@code name = value} or {@code name: value} (names lower-cased,
   * values stripped), indented continuation lines, a {@code [DEFAULT]} section whose options every
   * section inherits; duplicate sections or options and anything else are errors.
   */
  static Map<String, Map<String, String>> readIni(String text, String where) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    Map<String, String> current = null;
    String currentKey = null;
    int n = 0;
    for (String raw : text.split("\r?\n", -1)) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        currentKey = line.isEmpty() ? null : currentKey;
        continue;
      }
      boolean indented = Character.isWhitespace(raw.charAt(0));
      if (indented && currentKey != null) {
        current.merge(currentKey, "\n" + line, String::concat);
        continue;
      }
      var section = SECTION.matcher(line);
      if (section.matches()) {
        String header = section.group(1);
        if (out.containsKey(header)) {
          throw new ConfigException(where + ": line " + n + ": section [" + header + "] appears twice");
        }
        current = new LinkedHashMap<>();
        out.put(header, current);
        currentKey = null;
        continue;
      }
      if (current == null) {
        throw new ConfigException(where + ": line " + n + ": no [section] header before \"" + line + "\"");
      }
      var option = OPTION.matcher(line);
      if (!option.matches() || option.group(1).isEmpty()) {
        throw new ConfigException(where + ": line " + n + ": expected name = value, got \"" + line + "\"");
      }
      String key = option.group(1).toLowerCase(Locale.ROOT);
      if (current.containsKey(key)) {
        throw new ConfigException(where + ": line " + n + ": '" + key + "' appears twice in its section");
      }
      current.put(key, option.group(2).strip());
      currentKey = key;
    }
    return out;
  }
}
