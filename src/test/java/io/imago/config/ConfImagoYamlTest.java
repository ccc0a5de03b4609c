package io.imago.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/imago.yaml} is the operator's reference: it must name every option Imago reads,
 * nothing else, with the built-in default as its value and its environment variable in a comment.
 */
class ConfImagoYamlTest {
  private static final Path FILE = Path.of("conf", "imago.yaml");

  @Test
  void loadingTheFileGivesExactlyTheDefaults() {
    assertThat(ConfigLoader.load(FILE, Map.of(), Map.of())).isEqualTo(ConfigLoader.defaults(Map.of()));
  }

  @Test
  void theFileNamesEveryOptionAndNoOther() {
    Set<String> inFile = new TreeSet<>();
    leaves("", ConfigLoader.readYaml(FILE), inFile);

    assertThat(inFile).containsExactlyInAnyOrderElementsOf(ConfigLoader.optionPaths());
  }

  @Test
  void theSectionsAreReadInTheOrderOfTheFile() {
    // imago config prints options in reading order: a new section goes where the file documents it
    Set<String> read = new LinkedHashSet<>();
    ConfigLoader.optionPaths().forEach(p -> read.add(p.split("\\.")[0]));
    assertThat(read).containsExactlyElementsOf(ConfigLoader.readYaml(FILE).keySet());
  }

  @Test
  void everyOptionsEnvironmentVariableIsDocumented() throws Exception {
    String text = Files.readString(FILE, StandardCharsets.UTF_8);
    for (String path : ConfigLoader.optionPaths()) {
      assertThat(text).as("conf/imago.yaml mentions the variable of %s", path).contains(ConfigTree.envName(path));
    }
    assertThat(text).contains("IMAGO_BIND");
  }

  @Test
  void theEffectiveValuesOfTheFileAreItsDefaults() {
    // the file's values, as `imago config` prints them, are what the loader resolves without a file
    assertThat(ConfigLoader.effective(FILE, Map.of(), Map.of()))
        .isEqualTo(ConfigLoader.effective(null, Map.of(), Map.of()));
  }

  private static void leaves(String prefix, Map<?, ?> node, Set<String> out) {
    node.forEach((k, v) -> {
      String path = prefix.isEmpty() ? k.toString() : prefix + "." + k;
      if (v instanceof Map<?, ?> child) {
        leaves(path, child, out);
      } else {
        out.add(path);
      }
    });
  }
}
