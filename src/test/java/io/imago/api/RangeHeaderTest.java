package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.data.RangeRequest.Full;
import io.imago.data.RangeRequest.Multiple;
import io.imago.data.RangeRequest.Partial;
import io.imago.data.RangeRequest.Unsatisfiable;
import io.imago.store.ByteRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Range table of spec/images-api.md §4.7, on a 10-byte image. */
class RangeHeaderTest {
  @ParameterizedTest(name = "{0} -> {1}..{2}")
  @CsvSource({
      "bytes=0-4, 0, 5",
      "bytes=5-, 5, 5",
      "bytes=-3, 7, 3",
      "bytes=-20, 0, 10",
      "bytes=8-20, 8, 2",
      "bytes=9-9, 9, 1",
      "BYTES = 0-0, 0, 1"})
  void satisfiableRangesGiveOneSlice(String header, long offset, long length) {
    assertThat(RangeHeader.parse(header, null, 10)).isEqualTo(new Partial(new ByteRange(offset, length)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"bytes=10-", "bytes=a-b", "bytes=3-2", "items=0-1", "bytes=-0", "bytes=-",
      "bytes=99999999999999999999-", "bytes"})
  void unparsableOrOutsideIsUnsatisfiable(String header) {
    assertThat(RangeHeader.parse(header, null, 10)).isInstanceOf(Unsatisfiable.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"bytes=0-1,3-4", "bytes=0-1, 5-"})
  void severalRangesAreRefused(String header) {
    assertThat(RangeHeader.parse(header, null, 10)).isInstanceOf(Multiple.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"bytes 2-4/* | 2 | 3", "bytes 0-9/10 | 0 | 10"})
  void legacyContentRangeRequestHeaderIsHonoured(String header, long offset, long length) {
    assertThat(RangeHeader.parse(null, header, 10)).isEqualTo(new Partial(new ByteRange(offset, length)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"bytes 2-10/*", "bytes 5-4/*", "garbage"})
  void legacyRangeBeyondTheDataIsUnsatisfiable(String header) {
    assertThat(RangeHeader.parse(null, header, 10)).isInstanceOf(Unsatisfiable.class);
  }

  @org.junit.jupiter.api.Test
  void noHeaderMeansTheWholeImage() {
    assertThat(RangeHeader.parse(null, null, 10)).isInstanceOf(Full.class);
  }

  @org.junit.jupiter.api.Test
  void anyRangeOfEmptyDataIsUnsatisfiable() {
    assertThat(RangeHeader.parse("bytes=0-", null, 0)).isInstanceOf(Unsatisfiable.class);
    assertThat(RangeHeader.parse("bytes=-1", null, 0)).isInstanceOf(Unsatisfiable.class);
  }
}
