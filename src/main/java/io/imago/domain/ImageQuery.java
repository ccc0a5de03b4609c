package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code GET /v2/images} request (spec/images-api.md §4.2): page size, marker, sort
 * order and filters. {@link #parse} applies Glance's rules and answers every malformed parameter
 * with a 400 ({@link ImagoException#badRequest}); the SQL is built from this record in
 * {@code db.ImageListQuery}.
 *
 * @param limit the page size, already defaulted and capped
 * @param marker the id of the last image of the previous page, or null
 * @param sort the complete order: the requested keys followed by the {@code created_at} and
 *     {@code id} tie-breakers that were not requested, so that the order is total
 * @param visibility the {@code visibility} parameter as given ({@code public}, {@code private},
 *     {@code shared}, {@code community}, {@code all}), {@code ""} (Glance filters on the empty
 *     string, so nothing matches), or null for the default listing
 * @param memberStatus which memberships make a shared image show up; null means {@code all}
 * @param osHidden {@code false} lists only images that are not hidden, {@code true} only hidden ones
 * @param filters every other condition; an image is listed when all of them hold
 */
public record ImageQuery(
    int limit,
    String marker,
    List<Sort> sort,
    String visibility,
    MemberStatus memberStatus,
    boolean osHidden,
    List<Filter> filters) {

  /** What a column holds; decides how a value given as text is compared with it. */
  public enum Kind { TEXT, INTEGER, BOOLEAN, TIMESTAMP }

  /** The image columns a list may filter or sort on, by their Glance (and database) names. */
  public enum Column {
    ID(Kind.TEXT, false),
    NAME(Kind.TEXT, true),
    STATUS(Kind.TEXT, false),
    CONTAINER_FORMAT(Kind.TEXT, true),
    DISK_FORMAT(Kind.TEXT, true),
    OWNER(Kind.TEXT, true),
    CHECKSUM(Kind.TEXT, true),
    OS_HASH_ALGO(Kind.TEXT, true),
    OS_HASH_VALUE(Kind.TEXT, true),
    SIZE(Kind.INTEGER, true),
    VIRTUAL_SIZE(Kind.INTEGER, true),
    MIN_RAM(Kind.INTEGER, false),
    MIN_DISK(Kind.INTEGER, false),
    PROTECTED(Kind.BOOLEAN, false),
    CREATED_AT(Kind.TIMESTAMP, false),
    UPDATED_AT(Kind.TIMESTAMP, false);

    private final Kind kind;
    private final boolean nullable;

    Column(Kind kind, boolean nullable) {
      this.kind = kind;
      this.nullable = nullable;
    }

    /** The attribute name on the wire, which is also the column name. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public Kind kind() {
      return kind;
    }

    /** Whether an image may have no value here (null sorts before every value, see {@link Sort}). */
    public boolean nullable() {
      return nullable;
    }

    static Optional<Column> byWire(String s) {
      for (Column c : values()) {
        if (c.wire().equals(s)) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * One sort key. Null values order as the smallest value — first when ascending, last when
   * descending — as on Glance's sqlite and MySQL back ends (PostgreSQL's own default is the
   * opposite, so the SQL says it explicitly).
   */
  public record Sort(Column column, boolean ascending) {}

  /** Comparison operators of the {@code created_at}/{@code updated_at} filters. */
  public enum Comparison { GT, GTE, LT, LTE, EQ, NEQ }

  /** A condition an image must meet to be listed. */
  public sealed interface Filter permits OneOf, Bound, IntEquals, BoolEquals, TimeCompare, HasTags, PropertyEquals,
      MatchesNothing {}

  /** The text column equals one of {@code values} (one value for plain equality; none matches nothing). */
  public record OneOf(Column column, List<String> values) implements Filter {
    public OneOf {
      values = List.copyOf(values);
    }
  }

  /** {@code <column>_min} ({@code lower}) or {@code <column>_max}: an inclusive bound; null never matches. */
  public record Bound(Column column, boolean lower, long value) implements Filter {}

  /** An integer column equals {@code value}. */
  public record IntEquals(Column column, long value) implements Filter {}

  /** A boolean column equals {@code value}. */
  public record BoolEquals(Column column, boolean value) implements Filter {}

  /**
   * A timestamp column compared with {@code threshold} at the second precision images are shown
   * with (spec §0.5), so that {@code eq:} matches the value a client read.
   */
  public record TimeCompare(Column column, Comparison op, Instant threshold) implements Filter {}

  /** The image carries every one of these tags. */
  public record HasTags(List<String> tags) implements Filter {
    public HasTags {
      tags = List.copyOf(tags);
    }
  }

  /** A custom property {@code key} exists with exactly {@code value}. */
  public record PropertyEquals(String key, String value) implements Filter {}

  /** A filter no image can satisfy (e.g. {@code min_ram=abc}, {@code deleted_at=...}); Glance answers an empty list. */
  public record MatchesNothing(String parameter) implements Filter {}

  /** Sort keys Glance accepts, in the order its error message lists them. */
  public static final List<String> SORT_KEYS =
      List.of("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at");

  private static final Set<String> VISIBILITIES = Set.of("community", "public", "private", "shared", "all");
  private static final Set<Column> RANGE_COLUMNS = Set.of(Column.SIZE, Column.VIRTUAL_SIZE, Column.MIN_RAM,
      Column.MIN_DISK);
  private static final Set<Column> OPERATOR_COLUMNS = Set.of(Column.NAME, Column.ID, Column.STATUS,
      Column.CONTAINER_FORMAT, Column.DISK_FORMAT);
  private static final Set<Column> EXACT_COLUMNS = Set.of(Column.OWNER, Column.CHECKSUM, Column.OS_HASH_ALGO,
      Column.OS_HASH_VALUE, Column.SIZE, Column.VIRTUAL_SIZE, Column.MIN_RAM, Column.MIN_DISK);
  private static final Pattern PY_INT = Pattern.compile("[+-]?[0-9]+(?:_[0-9]+)*");
  /** Glance's {@code split_filter_value_for_quotes}: a quoted value (escapes kept), a bare value, or an empty one. */
  private static final Pattern IN_VALUE = Pattern.compile("\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\",?|([^,]+),?|,");

  public ImageQuery {
    requireNonNull(sort, "sort");
    sort = List.copyOf(sort);
    filters = List.copyOf(filters);
  }

  /**
   * Parses the query parameters of a list request, in request order, as Glance does
   * (spec §4.2, ERRATA 6): {@code tag}, {@code sort_key} and {@code sort_dir} may repeat; of any
   * other repeated parameter the last value wins.
   *
   * @param limitDefault {@code limit_param_default}
   * @param limitMax {@code api_limit_max}
   */
  public static ImageQuery parse(List<Map.Entry<String, String>> params, int limitDefault, int limitMax) {
    Map<String, String> single = new LinkedHashMap<>();
    List<String> tags = new ArrayList<>();
    List<String> sortKeys = new ArrayList<>();
    List<String> sortDirs = new ArrayList<>();
    for (Map.Entry<String, String> p : params) {
      switch (p.getKey()) {
        case "tag" -> tags.add(strip(p.getValue()));
        case "sort_key" -> sortKeys.add(p.getValue());
        case "sort_dir" -> sortDirs.add(p.getValue());
        default -> single.put(p.getKey(), p.getValue());
      }
    }
    // Glance's order of checks: deserializer (visibility, changes-since, member_status, limit,
    // sorting), then the controller (os_hidden, protected), then the database layer (filters).
    String limitParam = single.remove("limit");
    String marker = single.remove("marker");
    String memberStatusParam = single.remove("member_status");
    String visibility = single.remove("visibility");
    if (visibility != null && !visibility.isEmpty() && !VISIBILITIES.contains(visibility)) {
      throw ImagoException.badRequest("Invalid visibility value: %s", visibility);
    }
    if (single.containsKey("changes-since")) {
      // Glance: 400 for a value, 500 for an empty one; always 400 here
      throw ImagoException.badRequest("The \"changes-since\" filter is no longer available on v2.");
    }
    MemberStatus memberStatus = memberStatus(memberStatusParam == null ? "accepted" : memberStatusParam);
    int limit = limit(limitParam, limitDefault, limitMax);
    List<Sort> sort = sort(single.remove("sort"), sortKeys, sortDirs);

    String osHiddenParam = single.remove("os_hidden");
    String osHidden = osHiddenParam == null ? "false" : osHiddenParam.toLowerCase(Locale.ROOT);
    if (!osHidden.equals("true") && !osHidden.equals("false")) {
      throw ImagoException.badRequest("Invalid value '%s' for 'os_hidden' filter. Valid values are 'true' or 'false'.",
          osHidden);
    }
    List<Filter> filters = new ArrayList<>();
    String isProtected = single.remove("protected");
    if (isProtected != null) {
      if (!isProtected.equals("true") && !isProtected.equals("false")) {
        throw ImagoException.badRequest(
            "Invalid value '%s' for 'protected' filter. Valid values are 'true' or 'false'.", isProtected);
      }
      filters.add(new BoolEquals(Column.PROTECTED, isProtected.equals("true")));
    }
    single.remove("deleted"); // Glance always lists live images only, whatever is asked
    if (!tags.isEmpty()) {
      filters.add(new HasTags(tags));
    }
    single.forEach((key, value) -> filters.add(filter(key, value)));
    return new ImageQuery(limit, marker, sort, visibility, memberStatus, osHidden.equals("true"), filters);
  }

  private static Filter filter(String key, String value) {
    if (key.endsWith("_min") || key.endsWith("_max")) {
      long bound = pyInt(value).filter(b -> b.bitLength() < 64).map(BigInteger::longValueExact)
          .orElseThrow(() -> ImagoException.badRequest("Unable to filter on a range with a non-numeric value."));
      Column column = Column.byWire(key.substring(0, key.length() - 4)).filter(RANGE_COLUMNS::contains)
          // Glance answers 500 for an unknown column (spec §4.2 QUIRK, fixed)
          .orElseThrow(() -> ImagoException.badRequest(
              "Unable to filter on a range of '%s': it is not a numeric image attribute "
                  + "(size, virtual_size, min_ram, min_disk).", key.substring(0, key.length() - 4)));
      return new Bound(column, key.endsWith("_min"), bound);
    }
    Optional<Column> column = Column.byWire(key);
    if (column.isPresent() && column.get().kind() == Kind.TIMESTAMP) {
      String[] split = splitOperator(value);
      Instant threshold = Iso8601.parse(split[1]).orElseThrow(() -> ImagoException.badRequest(
          "Bad \"%s\" query filter format. Use ISO 8601 DateTime notation.", key));
      Comparison op = switch (split[0]) {
        case "gt" -> Comparison.GT;
        case "gte" -> Comparison.GTE;
        case "lt" -> Comparison.LT;
        case "lte" -> Comparison.LTE;
        case "eq" -> Comparison.EQ;
        case "neq" -> Comparison.NEQ;
        default -> throw ImagoException.badRequest("Unable to filter on a unknown operator.");
      };
      return new TimeCompare(column.get(), op, threshold);
    }
    if (column.isPresent() && OPERATOR_COLUMNS.contains(column.get())) {
      String[] split = splitOperator(value);
      return switch (split[0]) {
        case "in" -> new OneOf(column.get(), splitInValues(split[1]));
        case "eq" -> new OneOf(column.get(), List.of(split[1]));
        default -> throw ImagoException.badRequest("Unable to filter by unknown operator '%s'.", split[0]);
      };
    }
    if (column.isPresent() && EXACT_COLUMNS.contains(column.get())) {
      if (column.get().kind() == Kind.TEXT) {
        return new OneOf(column.get(), List.of(value));
      }
      // sqlite (Glance's reference) compares numerically when the text is a number, else finds nothing
      return integral(value).<Filter>map(v -> new IntEquals(column.get(), v)).orElse(new MatchesNothing(key));
    }
    if (key.equals("deleted_at")) {
      return new MatchesNothing(key); // live images have none
    }
    return new PropertyEquals(key, value);
  }

  /**
   * Glance's {@code split_filter_op}: {@code op:value}, except that a whole value which is an
   * ISO 8601 timestamp ({@code 2020-01-01T10:00}) is a plain {@code eq}.
   *
   * @return operator and operand
   */
  static String[] splitOperator(String expression) {
    int colon = expression.indexOf(':');
    if (colon < 0 || Iso8601.parse(expression).isPresent()) {
      return new String[] {"eq", expression};
    }
    return new String[] {expression.substring(0, colon), expression.substring(colon + 1)};
  }

  /**
   * The values of an {@code in:} list: comma-separated, a value containing commas in double
   * quotes ({@code "glass, darkly",other}). A backslash-escaped quote does not end a quoted value
   * and is kept as written, as in Glance. Misplaced or unbalanced quotes are a 400.
   */
  public static List<String> splitInValues(String list) {
    boolean opening = true;
    for (int i = 0; i < list.length(); i++) {
      if (list.charAt(i) != '"' || (i > 0 && list.charAt(i - 1) == '\\')) {
        continue;
      }
      if (opening && i > 0 && list.charAt(i - 1) != ',') {
        throw ImagoException.badRequest("Invalid filter value %s. There is no comma before opening quotation mark.",
            list);
      }
      if (!opening && i + 1 != list.length() && list.charAt(i + 1) != ',') {
        throw ImagoException.badRequest("Invalid filter value %s. There is no comma after closing quotation mark.",
            list);
      }
      opening = !opening;
    }
    if (!opening) {
      throw ImagoException.badRequest("Invalid filter value %s. The quote is not closed.", list);
    }
    List<String> out = new ArrayList<>();
    Matcher m = IN_VALUE.matcher(list);
    while (m.find()) {
      String quoted = m.group(1);
      String bare = m.group(2);
      out.add(quoted != null && !quoted.isEmpty() ? quoted : bare != null ? bare : "");
    }
    return out;
  }

  private static MemberStatus memberStatus(String s) {
    if (s.equals("all")) {
      return null;
    }
    return MemberStatus.parse(s).orElseThrow(() -> ImagoException.badRequest("Invalid status: %s", s));
  }

  private static int limit(String param, int limitDefault, int limitMax) {
    if (param == null) {
      return Math.min(limitDefault, limitMax);
    }
    BigInteger limit = pyInt(param).orElseThrow(() -> ImagoException.badRequest("limit param must be an integer"));
    if (limit.signum() < 0) {
      throw ImagoException.badRequest("limit param must be positive");
    }
    return limit.min(BigInteger.valueOf(limitMax)).intValueExact();
  }

  /**
   * Both sort syntaxes: {@code sort=key[:dir],...} (a missing direction is {@code desc}) or the
   * repeatable {@code sort_key}/{@code sort_dir} (one direction applies to every key; several must
   * match the keys one to one). {@code created_at} and {@code id} are appended when absent, in the
   * single given direction, else descending — as Glance's database layer does.
   */
  private static List<Sort> sort(String newSyntax, List<String> sortKeys, List<String> sortDirs) {
    List<String> keys = new ArrayList<>();
    List<String> dirs = new ArrayList<>();
    if (newSyntax != null) {
      if (!sortKeys.isEmpty() || !sortDirs.isEmpty()) {
        throw ImagoException.badRequest("Old and new sorting syntax cannot be combined");
      }
      for (String item : strip(newSyntax).split(",", -1)) {
        int colon = item.indexOf(':');
        String key = colon < 0 ? item : item.substring(0, colon);
        String dir = colon < 0 ? "" : item.substring(colon + 1);
        keys.add(sortKey(strip(key)));
        dirs.add(sortDir(dir.isEmpty() ? "desc" : strip(dir)));
      }
    } else {
      sortKeys.forEach(k -> keys.add(sortKey(strip(k))));
      sortDirs.forEach(d -> dirs.add(sortDir(strip(d))));
      if (dirs.size() > 1 && dirs.size() != keys.size()) {
        throw ImagoException.badRequest("Number of sort dirs does not match the number of sort keys");
      }
    }
    if (keys.isEmpty()) {
      keys.add("created_at");
    }
    if (dirs.isEmpty()) {
      dirs.add("desc");
    }
    String tieBreakDir = dirs.size() == 1 ? dirs.get(0) : "desc";
    List<Sort> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      String dir = dirs.size() == 1 ? dirs.get(0) : dirs.get(i);
      out.add(new Sort(Column.byWire(keys.get(i)).orElseThrow(), dir.equals("asc")));
    }
    for (String tieBreaker : List.of("created_at", "id")) {
      if (!keys.contains(tieBreaker)) {
        out.add(new Sort(Column.byWire(tieBreaker).orElseThrow(), tieBreakDir.equals("asc")));
      }
    }
    return out;
  }

  private static String sortKey(String key) {
    if (!SORT_KEYS.contains(key)) {
      throw ImagoException.badRequest("Invalid sort key: %s. It must be one of the following: %s.", key,
          String.join(", ", SORT_KEYS));
    }
    return key;
  }

  private static String sortDir(String dir) {
    if (!dir.equals("asc") && !dir.equals("desc")) {
      throw ImagoException.badRequest("Invalid sort direction: %s", dir);
    }
    return dir;
  }

  /** Python's {@code int(str)}: surrounding white space, a sign, digits with single underscores between them. */
  private static Optional<BigInteger> pyInt(String s) {
    String t = strip(s);
    if (!PY_INT.matcher(t).matches()) {
      return Optional.empty();
    }
    return Optional.of(new BigInteger(t.replace("_", "")));
  }

  /** A number written as text that equals a {@code long}, as sqlite's numeric comparison would read it. */
  private static Optional<Long> integral(String s) {
    try {
      BigDecimal d = new BigDecimal(s.strip());
      return Optional.of(d.longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** Python's {@code str.strip()}: white space and space separators at both ends. */
  private static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean isSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c);
  }
}
