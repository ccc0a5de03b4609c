package io.imago.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds the {@link ImagoConfig} from defaults, a YAML file, {@code IMAGO_*} environment variables
 * and command-line overrides (later ones win). The defaults sit with each section's record (its
 * {@code read}); they are the ones documented in {@code conf/imago.yaml}, and a test keeps the two
 * equal.
 */
public final class ConfigLoader {
  /** Environment variables that do not follow the IMAGO_<PATH> rule, kept short for operators. */
  private static final Map<String, List<String>> ENV_ALIASES = Map.of("http.bind", List.of("IMAGO_BIND"));

  private ConfigLoader() {}

  /** Loads {@code file} (or only defaults when null) with the process environment. */
  public static ImagoConfig load(Path file, Map<String, String> overrides) {
    return load(file, System.getenv(), overrides);
  }

  public static ImagoConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
    return fromTree(file == null ? Map.of() : readYaml(file), env, overrides);
  }

  /** Only defaults, plus the given dotted-path overrides: how tests build configurations. */
  public static ImagoConfig defaults(Map<String, String> overrides) {
    return fromTree(Map.of(), Map.of(), overrides);
  }

  static Map<String, Object> readYaml(Path file) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Object doc = new Yaml(new SafeConstructor(options)).load(in);
      if (doc == null) {
        return Map.of();
      }
      if (!(doc instanceof Map<?, ?> m)) {
        throw new ConfigException(file + ": expected a YAML mapping at the top level");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) m;
      return map;
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("read configuration file " + file + ": " + e.getMessage(), e);
    } catch (YAMLException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage(), e);
    }
  }

  /**
   * The options in force after the file, the environment and the overrides, by dotted path, as
   * they would be written in a file ({@link ConfigTree#effective()}); validated like {@link #load}.
   */
  public static Map<String, Object> effective(Path file, Map<String, String> env, Map<String, String> overrides) {
    ConfigTree t = new ConfigTree(file == null ? Map.of() : readYaml(file), env, overrides, ENV_ALIASES);
    build(t);
    return t.effective();
  }

  /** The dotted path of every option Imago reads, in the order of {@code conf/imago.yaml}. */
  public static Set<String> optionPaths() {
    ConfigTree t = new ConfigTree(Map.of(), Map.of(), Map.of(), ENV_ALIASES);
    build(t);
    return t.readPaths();
  }

  static ImagoConfig fromTree(Map<String, Object> root, Map<String, String> env, Map<String, String> overrides) {
    return build(new ConfigTree(root, env, overrides, ENV_ALIASES));
  }

  /** Reads every section ({@link ImagoConfig#read}), then refuses options that none of them read. */
  private static ImagoConfig build(ConfigTree t) {
    ImagoConfig config = ImagoConfig.read(t);
    t.rejectUnknown();
    return config;
  }
}
