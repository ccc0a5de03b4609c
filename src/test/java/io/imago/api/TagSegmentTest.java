package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import org.junit.jupiter.api.Test;

/** The tag path segment is percent-decoded as UTF-8, strictly (ERRATA 15). */
class TagSegmentTest {
  @Test
  void decodesUtf8() {
    assertThat(ImageTagsHandler.decodeSegment("plain")).isEqualTo("plain");
    assertThat(ImageTagsHandler.decodeSegment("%C3%A9t%c3%a9")).isEqualTo("été");
    assertThat(ImageTagsHandler.decodeSegment("a%20b+c%2Fd")).isEqualTo("a b+c/d");
    assertThat(ImageTagsHandler.decodeSegment("%E6%97%A5")).isEqualTo("日");
  }

  @Test
  void malformedInputIs400() {
    for (String bad : new String[] {"%", "%2", "%zz", "%G1", "%FF", "%C3", "%C3%28", "%ED%A0%80", "\u0660"}) {
      assertThatThrownBy(() -> ImageTagsHandler.decodeSegment(bad)).as(bad)
          .isInstanceOfSatisfying(ImagoException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_REQUEST));
    }
  }
}
