package io.imago.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imago.domain.ImageQuery.Column;
import io.imago.domain.ImageQuery.Comparison;
import io.imago.domain.ImageQuery.Sort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing of {@code GET /v2/images} parameters (spec/images-api.md §4.2). */
class ImageQueryTest {
  private static ImageQuery parse(String... kv) {
    List<Map.Entry<String, String>> params = new ArrayList<>();
    for (int i = 0; i < kv.length; i += 2) {
      params.add(Map.entry(kv[i], kv[i + 1]));
    }
    return ImageQuery.parse(params, 25, 1000);
  }

  private static void assertBadRequest(String... kv) {
    assertThatThrownBy(() -> parse(kv)).isInstanceOfSatisfying(ImagoException.class,
        e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_REQUEST));
  }

  @Test
  void defaultsAreCreatedAtDescendingWithIdTieBreakerAndVisibleNonHiddenImages() {
    ImageQuery q = parse();
    assertThat(q.limit()).isEqualTo(25);
    assertThat(q.marker()).isNull();
    assertThat(q.sort()).containsExactly(new Sort(Column.CREATED_AT, false), new Sort(Column.ID, false));
    assertThat(q.visibility()).isNull();
    assertThat(q.memberStatus()).isEqualTo(MemberStatus.ACCEPTED);
    assertThat(q.osHidden()).isFalse();
    assertThat(q.filters()).isEmpty();
  }

  @Test
  void limitIsCappedAndTheLastValueWins() {
    assertThat(parse("limit", "5000").limit()).isEqualTo(1000);
    assertThat(parse("limit", "99999999999999999999999").limit()).isEqualTo(1000);
    assertThat(parse("limit", "0").limit()).isZero();
    assertThat(parse("limit", " 7 ").limit()).isEqualTo(7);
    assertThat(parse("limit", "1", "limit", "5").limit()).isEqualTo(5); // ERRATA 6
    assertThat(ImageQuery.parse(List.of(), 50, 20).limit()).isEqualTo(20);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "1.5", "-1", "1e3", "0x10"})
  void badLimitsAreRejected(String limit) {
    assertBadRequest("limit", limit);
  }

  @Test
  void classicSortWithOneDirectionAppliesItToEveryKeyAndTheTieBreakers() {
    assertThat(parse("sort_key", "name", "sort_key", "size", "sort_dir", "asc").sort()).containsExactly(
        new Sort(Column.NAME, true), new Sort(Column.SIZE, true), new Sort(Column.CREATED_AT, true),
        new Sort(Column.ID, true));
  }

  @Test
  void classicSortWithOneDirectionPerKeyBreaksTiesDescending() {
    assertThat(parse("sort_key", "name", "sort_dir", "asc", "sort_key", "id", "sort_dir", "asc").sort())
        .containsExactly(new Sort(Column.NAME, true), new Sort(Column.ID, true), new Sort(Column.CREATED_AT, false));
  }

  @Test
  void newSortSyntaxDefaultsToDescending() {
    assertThat(parse("sort", " name , size:asc ").sort()).containsExactly(new Sort(Column.NAME, false),
        new Sort(Column.SIZE, true), new Sort(Column.CREATED_AT, false), new Sort(Column.ID, false));
    assertThat(parse("sort", "status:asc").sort()).containsExactly(new Sort(Column.STATUS, true),
        new Sort(Column.CREATED_AT, true), new Sort(Column.ID, true));
    assertThat(parse("sort", "updated_at:asc,created_at").sort()).containsExactly(
        new Sort(Column.UPDATED_AT, true), new Sort(Column.CREATED_AT, false), new Sort(Column.ID, false));
  }

  @Test
  void badSortsAreRejected() {
    assertBadRequest("sort_key", "owner");
    assertBadRequest("sort_key", "");
    assertBadRequest("sort_dir", "up");
    assertBadRequest("sort", "name:up");
    assertBadRequest("sort", "name: ,size"); // the direction " " is not empty, and blank after strip
    assertBadRequest("sort", "");
    assertBadRequest("sort", "name,");
    assertBadRequest("sort", "name", "sort_key", "name");
    assertBadRequest("sort", "name", "sort_dir", "asc");
    assertBadRequest("sort_key", "name", "sort_dir", "asc", "sort_dir", "desc");
    assertBadRequest("sort_dir", "asc", "sort_dir", "desc");
  }

  @Test
  void visibilityMemberStatusAndHiddenFlags() {
    assertThat(parse("visibility", "all").visibility()).isEqualTo("all");
    assertThat(parse("visibility", "").visibility()).isEmpty();
    assertThat(parse("member_status", "all").memberStatus()).isNull();
    assertThat(parse("member_status", "pending").memberStatus()).isEqualTo(MemberStatus.PENDING);
    assertThat(parse("os_hidden", "TRUE").osHidden()).isTrue();
    assertThat(parse("protected", "false").filters()).containsExactly(new ImageQuery.BoolEquals(Column.PROTECTED,
        false));
    assertBadRequest("visibility", "bogus");
    assertBadRequest("member_status", "");
    assertBadRequest("member_status", "Accepted");
    assertBadRequest("os_hidden", "yes");
    assertBadRequest("os_hidden", "");
    assertBadRequest("protected", "True");
    assertBadRequest("protected", "");
    assertBadRequest("changes-since", "2020-01-01T00:00:00Z");
    assertBadRequest("changes-since", "");
  }

  @Test
  void deletedIsIgnored() {
    assertThat(parse("deleted", "true").filters()).isEmpty();
  }

  @Test
  void operatorColumnsTakeEqAndIn() {
    assertThat(parse("name", "x").filters()).containsExactly(new ImageQuery.OneOf(Column.NAME, List.of("x")));
    assertThat(parse("name", "eq:a:b").filters()).containsExactly(new ImageQuery.OneOf(Column.NAME, List.of("a:b")));
    assertThat(parse("status", "in:active,queued").filters())
        .containsExactly(new ImageQuery.OneOf(Column.STATUS, List.of("active", "queued")));
    // a whole ISO timestamp is a value, not an operator
    assertThat(parse("name", "2020-01-01T10:00").filters())
        .containsExactly(new ImageQuery.OneOf(Column.NAME, List.of("2020-01-01T10:00")));
    assertBadRequest("name", "neq:x");
    assertBadRequest("name", "a:b");
    assertBadRequest("id", "gt:1");
  }

  @Test
  void inListsHonourDoubleQuotes() {
    assertThat(ImageQuery.splitInValues("\"glass, darkly\",b")).containsExactly("glass, darkly", "b");
    assertThat(ImageQuery.splitInValues("a,b,")).containsExactly("a", "b");
    assertThat(ImageQuery.splitInValues(",c")).containsExactly("", "c");
    assertThat(ImageQuery.splitInValues("")).isEmpty();
    assertThat(ImageQuery.splitInValues("\"\",x")).containsExactly("", "x");
    assertThat(ImageQuery.splitInValues("a:b")).containsExactly("a:b");
    // an escaped quote does not close the value and is kept as written (Glance does not unescape)
    assertThat(ImageQuery.splitInValues("\"a\\\"q\",c")).containsExactly("a\\\"q", "c");
  }

  @ParameterizedTest
  @ValueSource(strings = {"in:a\"q", "in:\"glass, darkly\"x", "in:\"abc", "in:a,\"b"})
  void misplacedOrUnbalancedQuotesAreRejected(String value) {
    assertBadRequest("name", value);
  }

  @Test
  void rangesWorkOnNumericColumnsOnly() {
    assertThat(parse("size_min", "3", "min_ram_max", "+2_048").filters()).containsExactly(
        new ImageQuery.Bound(Column.SIZE, true, 3), new ImageQuery.Bound(Column.MIN_RAM, false, 2048));
    assertBadRequest("size_min", "abc");
    assertBadRequest("size_max", "1.5");
    assertBadRequest("size_max", "");
    assertBadRequest("foo_min", "1");
    assertBadRequest("name_min", "1");
    assertBadRequest("created_at_max", "1");
    assertBadRequest("_min", "1");
  }

  @Test
  void timestampsTakeComparisonOperators() {
    Instant t = Instant.parse("2020-01-01T00:00:00Z");
    assertThat(parse("created_at", "gt:2020-01-01T00:00:00Z").filters())
        .containsExactly(new ImageQuery.TimeCompare(Column.CREATED_AT, Comparison.GT, t));
    assertThat(parse("updated_at", "2020-01-01T01:00:00+01:00").filters())
        .containsExactly(new ImageQuery.TimeCompare(Column.UPDATED_AT, Comparison.EQ, t));
    assertThat(parse("created_at", "neq:2020").filters())
        .containsExactly(new ImageQuery.TimeCompare(Column.CREATED_AT, Comparison.NEQ, t));
    assertBadRequest("created_at", "bogus:2020-01-01");
    assertBadRequest("created_at", "gt:bogus");
    assertBadRequest("created_at", "gt:2020-13-01");
    assertBadRequest("updated_at", "");
    assertBadRequest("updated_at", "eq:");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2020|2020-01-01T00:00:00Z",
      "2020-02|2020-02-01T00:00:00Z",
      "2020-02-03|2020-02-03T00:00:00Z",
      "20200203|2020-02-03T00:00:00Z",
      "20200203T0405|2020-02-03T04:05:00Z",
      "2020-02-03T04Z|2020-02-03T04:00:00Z",
      "2020-02-03 04:05:06|2020-02-03T04:05:06Z",
      "2020-02-03T04:05:06.123456789Z|2020-02-03T04:05:06.123456Z",
      "2020-02-03T04:05:06,5|2020-02-03T04:05:06.5Z",
      "2020-02-03T04:05:06-05|2020-02-03T09:05:06Z",
      "2020-02-03T04:05:06+0130|2020-02-03T02:35:06Z",
      "2020-02-03T04:05:06+20:00|2020-02-02T08:05:06Z"})
  void iso8601AsGlanceReadsIt(String text, String instant) {
    assertThat(Iso8601.parse(text)).contains(Instant.parse(instant));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "202002", "2020-13-01", "2020-02-30", "2020-01-01T24:00", "2020-01-01Z",
      "2020-01-01T00:00:60", "0000-01-01", "2020-01-01T00:00+24:00", "x2020", "2020-01-01T00:00:00 "})
  void notIso8601(String text) {
    assertThat(Iso8601.parse(text)).isEmpty();
  }

  @Test
  void otherParametersAreBaseColumnsOrCustomProperties() {
    assertThat(parse("owner", "p1", "checksum", "abc", "min_ram", "08", "size", "abc", "deleted_at", "x",
        "hw_disk_bus", "virtio").filters()).containsExactly(
            new ImageQuery.OneOf(Column.OWNER, List.of("p1")),
            new ImageQuery.OneOf(Column.CHECKSUM, List.of("abc")),
            new ImageQuery.IntEquals(Column.MIN_RAM, 8),
            new ImageQuery.MatchesNothing("size"),
            new ImageQuery.MatchesNothing("deleted_at"),
            new ImageQuery.PropertyEquals("hw_disk_bus", "virtio"));
  }

  @Test
  void tagsAccumulateAndOtherRepeatsKeepTheLastValue() {
    assertThat(parse("tag", " x ", "name", "a", "tag", "y", "name", "b").filters()).containsExactly(
        new ImageQuery.HasTags(List.of("x", "y")), new ImageQuery.OneOf(Column.NAME, List.of("b")));
    assertThat(parse("marker", "m1", "marker", "m2").marker()).isEqualTo("m2");
  }
}
