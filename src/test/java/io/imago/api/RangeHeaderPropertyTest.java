package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.data.RangeRequest.Multiple;
import io.imago.data.RangeRequest.Outcome;
import io.imago.data.RangeRequest.Partial;
import io.imago.data.RangeRequest.Unsatisfiable;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * Range parsing against a model that thinks in byte positions: a request names a set of
 * positions; the answer is the part of it inside the data, or 416 when that part is empty (or the
 * range is written backwards, which Glance also refuses).
 */
class RangeHeaderPropertyTest {
  /** One byte-range spec of a request, written as a client would. */
  record Spec(Long first, Long last, Long suffix) {
    String text() {
      return suffix != null ? "-" + suffix : first + "-" + (last == null ? "" : last);
    }

    /** The model: [from, to) of the requested positions inside [0, size), or null if none. */
    long[] within(long size) {
      long from;
      long to;
      if (suffix != null) {
        from = Math.max(0, size - suffix);
        to = size;
      } else {
        if (last != null && last < first) {
          return null;
        }
        from = first;
        to = last == null ? size : Math.min(size, last + 1);
      }
      return from < to ? new long[] {from, to} : null;
    }
  }

  @Provide
  Arbitrary<Spec> specs() {
    Arbitrary<Long> pos = Arbitraries.longs().between(0, 5000);
    Arbitrary<Spec> closed = Combinators.combine(pos, pos).as((a, b) -> new Spec(a, b, null));
    Arbitrary<Spec> open = pos.map(a -> new Spec(a, null, null));
    Arbitrary<Spec> suffix = pos.map(s -> new Spec(null, null, s));
    return Arbitraries.oneOf(closed, open, suffix);
  }

  @Property(tries = 2000)
  void oneRangeIsExactlyTheRequestedBytesInsideTheData(@ForAll("specs") Spec spec,
      @ForAll @LongRange(min = 0, max = 4000) long size) {
    Outcome r = RangeHeader.parse("bytes=" + spec.text(), null, size);
    long[] expected = spec.within(size);
    if (expected == null) {
      assertThat(r).isInstanceOf(Unsatisfiable.class);
    } else {
      assertThat(r).isInstanceOf(Partial.class);
      var range = ((Partial) r).range();
      assertThat(range.offset()).isEqualTo(expected[0]);
      assertThat(range.offset() + range.length()).isEqualTo(expected[1]);
    }
  }

  @Property(tries = 500)
  void severalRangesAreAlwaysRefusedAsAWhole(@ForAll("specs") Spec a, @ForAll("specs") Spec b,
      @ForAll @LongRange(min = 0, max = 4000) long size) {
    assertThat(RangeHeader.parse("bytes=" + a.text() + "," + b.text(), null, size)).isInstanceOf(Multiple.class);
  }

  @Property(tries = 2000)
  void noHeaderValueMakesTheParserThrow(@ForAll("headers") String header,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long size) {
    Outcome range = RangeHeader.parse(header, null, size);
    Outcome legacy = RangeHeader.parse(null, header, size);
    for (Outcome r : new Outcome[] {range, legacy}) {
      if (r instanceof Partial p) {
        assertThat(p.range().offset()).isBetween(0L, size - 1);
        assertThat(p.range().length()).isPositive();
        assertThat(p.range().offset() + p.range().length()).isLessThanOrEqualTo(size);
      }
    }
  }

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> noise = Arbitraries.strings().withChars("bytes=-,0123456789 */abc\t").ofMaxLength(40);
    Arbitrary<String> prefixed = noise.map(s -> "bytes=" + s);
    Arbitrary<String> legacyish = noise.map(s -> "bytes " + s);
    Arbitrary<String> any = Arbitraries.strings().ofMaxLength(30);
    return Arbitraries.oneOf(noise, prefixed, legacyish, any);
  }
}
