package io.imago.domain.metadef;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON Schema subset Glance's metadefs documents use, with Python jsonschema's semantics. */
class JsonSchemaTest {
  private static final Map<String, Object> SCHEMA = Map.of(
      "name", "thing",
      "additionalProperties", false,
      "required", List.of("name"),
      "definitions", Map.of("positiveInteger", Map.of("type", "integer", "minimum", 0),
          "stringArray", Map.of("type", "array", "items", Map.of("type", "string"), "uniqueItems", true)),
      "properties", Map.of(
          "name", Map.of("type", "string", "maxLength", 3),
          "kind", Map.of("type", "string", "enum", java.util.Arrays.asList("a", "b", null)),
          "count", Map.of("$ref", "#/definitions/positiveInteger"),
          "tags", Map.of("$ref", "#/definitions/stringArray"),
          "any", Map.of("type", List.of("null", "number")),
          "props", Map.of("type", "object", "additionalProperties", Map.of("type", "object",
              "required", List.of("title"), "properties", Map.of("title", Map.of("type", "string")))),
          "both", Map.of("allOf", List.of(Map.of("$ref", "#/definitions/positiveInteger"), Map.of("maximum", 5)))));

  private final JsonSchema schema = new JsonSchema(SCHEMA);

  private boolean valid(Map<String, Object> v) {
    return schema.violation(v).isEmpty();
  }

  @Test
  void acceptsWhatTheSchemaAllows() {
    assertThat(valid(Map.of("name", "abc", "kind", "a", "count", 3, "tags", List.of("x", "y"), "any", 1.5,
        "props", Map.of("p", Map.of("title", "P", "extra", 1)), "both", 5))).isTrue();
    assertThat(valid(Map.of("name", "ab", "count", 2.0))).as("an integral float is an integer").isTrue();
  }

  @Test
  void refusesWhatItDoesNot() {
    assertThat(schema.violation(Map.of())).hasValueSatisfying(v -> assertThat(v).contains("'name' is a required"));
    assertThat(valid(Map.of("name", "abcd"))).as("maxLength").isFalse();
    assertThat(valid(Map.of("name", "a", "bogus", 1))).as("additionalProperties: false").isFalse();
    assertThat(valid(Map.of("name", "a", "kind", "c"))).as("enum").isFalse();
    assertThat(valid(Map.of("name", "a", "count", -1))).as("minimum through $ref").isFalse();
    assertThat(valid(Map.of("name", "a", "count", 1.5))).as("integer").isFalse();
    assertThat(valid(Map.of("name", "a", "count", true))).as("a boolean is not a number").isFalse();
    assertThat(valid(Map.of("name", "a", "tags", List.of("x", "x")))).as("uniqueItems").isFalse();
    assertThat(valid(Map.of("name", "a", "tags", List.of(1)))).as("items").isFalse();
    assertThat(valid(Map.of("name", "a", "any", "s"))).as("type list").isFalse();
    assertThat(valid(Map.of("name", "a", "props", Map.of("p", Map.of())))).as("additionalProperties schema")
        .isFalse();
    assertThat(valid(Map.of("name", "a", "both", 6))).as("allOf").isFalse();
  }

  @Test
  void lengthsCountCodePoints() {
    assertThat(valid(Map.of("name", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"))).isTrue();
  }
}
