package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.domain.ImagoException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Query strings read and written as Glance (WebOb, Python's urlencode) does; cases observed on the reference. */
class QueryStringTest {
  @Test
  void parsesLikeWebOb() {
    assertThat(QueryString.parse("a;b=1&c=2")).containsExactly(Map.entry("a", ""), Map.entry("b", "1"),
        Map.entry("c", "2"));
    assertThat(QueryString.parse("&&x=1&&")).containsExactly(Map.entry("x", "1"));
    assertThat(QueryString.parse("=5")).containsExactly(Map.entry("", "5"));
    assertThat(QueryString.parse("x=%zz&y=%4")).containsExactly(Map.entry("x", "%zz"), Map.entry("y", "%4"));
    assertThat(QueryString.parse("name=a+b%2Bc&Name=%E2%82%AC")).containsExactly(Map.entry("name", "a b+c"),
        Map.entry("Name", "€"));
    assertThat(QueryString.parse("k=a=b")).containsExactly(Map.entry("k", "a=b"));
    assertThat(QueryString.parse(null)).isEmpty();
  }

  @Test
  void rejectsNonUtf8() {
    assertThatThrownBy(() -> QueryString.parse("x=%ff")).isInstanceOf(ImagoException.class);
    assertThatThrownBy(() -> QueryString.parse("%ff=1")).isInstanceOf(ImagoException.class);
  }

  @Test
  void encodesLikePythonUrlencode() {
    assertThat(QueryString.encode(List.of(Map.entry("name", "a~b*c d e"), Map.entry("limit", "2"),
        Map.entry("foo", "")))).isEqualTo("name=a~b%2Ac+d+e&limit=2&foo=");
    assertThat(QueryString.encode(List.of(Map.entry("name", "in:\"glass, darkly\",b"))))
        .isEqualTo("name=in%3A%22glass%2C+darkly%22%2Cb");
    assertThat(QueryString.encode(List.of(Map.entry("name", "€")))).isEqualTo("name=%E2%82%AC");
  }
}
