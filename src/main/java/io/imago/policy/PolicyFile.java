package io.imago.policy;

import io.imago.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads an oslo.policy policy file (spec/security.md §1.1): a YAML or JSON mapping of rule name
 * to check string. JSON is read as YAML (of which it is a subset), as oslo.policy falls back to
 * YAML; the commented sample that {@code oslopolicy-sample-generator} writes is valid YAML whose
 * comments are simply ignored. oslo's old list-of-lists rule form is accepted too.
 *
 * <p>Every problem is a {@link ConfigException} naming the file and, when it is about one rule,
 * the rule: the service must not start with a policy it does not understand.
 */
public final class PolicyFile {
  private PolicyFile() {}

  /** The parsed rules of {@code file}, in file order. Blocking: call at start only. */
  public static Map<String, Check> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("policy file not found: " + file + " (policy.policy_file)");
    } catch (IOException e) {
      throw new ConfigException("cannot read policy file " + file + ": " + e);
    }
    return parse(text, file.toString());
  }

  /** Parses the text of a policy file; {@code source} names it in messages. */
  public static Map<String, Check> parse(String text, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(options)).load(text);
    } catch (YAMLException e) {
      throw new ConfigException("policy file " + source + " is neither valid YAML nor JSON: " + e.getMessage());
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException("policy file " + source + ": expected a mapping of rule names to check strings");
    }
    Map<String, Check> rules = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      Object value = e.getValue();
      try {
        if (value instanceof String s) {
          rules.put(name, CheckParser.parse(s));
        } else if (value instanceof List<?> list) {
          rules.put(name, CheckParser.parseList(list));
        } else if (value == null) {
          // oslo.policy would read a missing value as "allow everyone"; far more likely a mistake
          throw new RuleSyntaxException("no check string (write \"\" to allow everyone, \"!\" to allow nobody)");
        } else {
          throw new RuleSyntaxException("the check string must be text, not " + value
              + " (quote it: YAML reads some plain values as numbers or booleans)");
        }
      } catch (RuleSyntaxException ex) {
        throw new ConfigException("policy file " + source + ": rule \"" + name + "\": " + ex.getMessage());
      }
    }
    return rules;
  }
}
