package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.app.App;
import io.imago.config.ConfigLoader;
import io.imago.db.ImageRepository.UploadResult;
import io.imago.db.ImageRepository;
import io.imago.db.MemberRepository;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.Location;
import io.imago.domain.MemberStatus;
import io.imago.domain.Visibility;
import io.imago.testing.Blocking;
import io.imago.testing.Http;
import io.imago.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Property: for random image sets (owners, visibilities, memberships with every status, hidden
 * flags, null and duplicate names, null sizes, tags, a custom property, {@code created_at} ties,
 * killed and deleted images) and random list requests (filters, both sort syntaxes, limits),
 * following {@code next} from the real server returns, page by page, exactly what an in-memory
 * model of spec/images-api.md §4.2 returns — and, when no parameter repeats, the pages together
 * are the model's whole ordered list, without duplicates or gaps.
 *
 * <p>The data set of each try is written through our repositories (so that timestamps, sizes,
 * statuses and members can be chosen); the previous try's images are deleted first.
 */
class ImageListPagingIT {
  private static final Instant BASE = Instant.parse("2024-05-01T10:00:00Z");
  /** Slots 0 and 1 share a second; slots 2 and 3 are the same instant (a tie broken by id). */
  private static final List<Instant> CREATED = List.of(BASE, BASE.plusMillis(250), BASE.plusSeconds(1),
      BASE.plusSeconds(1), BASE.plusSeconds(3).plusNanos(123_456_000));
  private static final String NONE = "~";

  private static App app;
  private static final List<String> previous = new ArrayList<>();

  @BeforeContainer
  static void start() throws Exception {
    Blocking.install();
    Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "imago-it-");
    app = App.start(ConfigLoader.defaults(Map.of("http.port", "0", "data_dir", dataDir.toString(),
        "database.url", TestPostgres.get().newDatabase(), "node_id", "test-ImageListPagingIT",
        "logging.access_log", "false")));
  }

  @AfterContainer
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  // ---- generated data

  enum Fate { LIVE, KILLED, DELETED }

  /** One image to create. */
  record Spec(String owner, Visibility visibility, String name, Long size, boolean hidden, boolean isProtected,
      Set<String> tags, String prop, int createdSlot, Fate fate, Map<String, MemberStatus> members,
      String diskFormat) {}

  record Looks(String owner, Visibility visibility, String name, Long size, boolean hidden, boolean isProtected,
      Set<String> tags, String prop) {}

  /** A request: who asks ({@code p1}, or {@code admin@p1} for an admin of p1) and its parameters in order. */
  record Request(String caller, List<Map.Entry<String, String>> params) {}

  @Provide
  Arbitrary<List<Spec>> datasets() {
    Arbitrary<Looks> looks = Combinators.combine(
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.of("p1", "p2", "p3")),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(NONE))),
        Arbitraries.of(Visibility.class),
        Arbitraries.of(NONE, "", "a", "b", "B", "a b", "x,y", "b"),
        Arbitraries.of(-1L, -1L, 0L, 5L, 10L),
        Arbitraries.frequency(net.jqwik.api.Tuple.of(1, true), net.jqwik.api.Tuple.of(6, false)),
        Arbitraries.of(true, false),
        Arbitraries.of("x", "y", "z").set().ofMaxSize(3),
        Arbitraries.of(NONE, "1", "2")).as((owner, vis, name, size, hidden, prot, tags, prop) -> new Looks(
            owner.equals(NONE) ? null : owner, vis, name.equals(NONE) ? null : name, size < 0 ? null : size, hidden,
            prot, tags, prop.equals(NONE) ? null : prop));
    Arbitrary<Spec> spec = Combinators.combine(
        looks,
        Arbitraries.integers().between(0, CREATED.size() - 1),
        Arbitraries.frequency(net.jqwik.api.Tuple.of(8, Fate.LIVE), net.jqwik.api.Tuple.of(1, Fate.KILLED),
            net.jqwik.api.Tuple.of(1, Fate.DELETED)),
        Arbitraries.maps(Arbitraries.of("p1", "p2", "p3"), Arbitraries.of(MemberStatus.class)).ofMaxSize(3),
        Arbitraries.of("raw", "qcow2", NONE)).as((l, slot, fate, members, disk) -> new Spec(l.owner(),
            l.visibility(), l.name(), l.size(), l.hidden(), l.isProtected() && fate != Fate.DELETED, l.tags(),
            l.prop(), slot, fate, members, disk.equals(NONE) ? null : disk));
    return spec.list().ofMinSize(6).ofMaxSize(30).withSizeDistribution(RandomDistribution.uniform());
  }

  @Provide
  Arbitrary<List<Request>> requests() {
    // up to two filters, any of them (a repeated one keeps its last value, as the server does)
    Arbitrary<List<Map.Entry<String, String>>> filters = Arbitraries.oneOf(List.of(
        Arbitraries.of("p1", "p2").map(v -> one("owner", v)),
        nameFilter(),
        weighted(3, "active", 3, "queued", 3, "in:active,queued", 1, "killed").map(v -> one("status", v)),
        Arbitraries.of("x", "y", "z").list().ofMinSize(1).ofMaxSize(2)
            .map(tags -> tags.stream().map(t -> Map.entry("tag", t)).toList()),
        Arbitraries.of(0, 5, 10).map(v -> one("size_min", Integer.toString(v))),
        Arbitraries.of(0, 5, 10).map(v -> one("size_max", Integer.toString(v))),
        weighted(1, "true", 3, "false", 1, "TRUE").map(v -> one("os_hidden", v)),
        Arbitraries.of("true", "false").map(v -> one("protected", v)),
        Arbitraries.of("1", "2").map(v -> one("k", v)),
        Arbitraries.of("raw", "in:raw,qcow2").map(v -> one("disk_format", v)),
        Combinators.combine(Arbitraries.of("gt", "gte", "lt", "lte", "eq", "neq"), Arbitraries.of(0, 1, 3))
            .as((op, sec) -> one("created_at", op + ":" + BASE.plusSeconds(sec)))))
        .list().ofMaxSize(2).withSizeDistribution(RandomDistribution.uniform())
        .map(lists -> lists.stream().flatMap(List::stream).toList());
    List<Arbitrary<List<Map.Entry<String, String>>>> parts = List.of(
        maybe(30, Arbitraries.of("public", "private", "shared", "community", "all").map(v -> one("visibility", v))),
        maybe(25, Arbitraries.of("pending", "accepted", "rejected", "all").map(v -> one("member_status", v))),
        filters,
        sort(),
        maybe(90, Arbitraries.integers().between(1, 6).map(v -> one("limit", Integer.toString(v)))));
    Arbitrary<List<Map.Entry<String, String>>> params = Combinators.combine(parts)
        .as(lists -> lists.stream().flatMap(List::stream).toList());
    Arbitrary<String> caller = Arbitraries.of("p1", "p2", "p3", "admin@padm", "admin@p1");
    return Combinators.combine(caller, params).as(Request::new).list().ofMinSize(1).ofMaxSize(4);
  }

  /** Values with weights: {@code weight, value, weight, value, ...}. */
  private static Arbitrary<String> weighted(Object... weightsAndValues) {
    List<net.jqwik.api.Tuple.Tuple2<Integer, String>> choices = new ArrayList<>();
    for (int i = 0; i < weightsAndValues.length; i += 2) {
      choices.add(net.jqwik.api.Tuple.of((Integer) weightsAndValues[i], (String) weightsAndValues[i + 1]));
    }
    return Arbitraries.frequency(choices);
  }

  private static List<Map.Entry<String, String>> one(String key, String value) {
    return List.of(Map.entry(key, value));
  }

  private static Arbitrary<List<Map.Entry<String, String>>> maybe(int percent,
      Arbitrary<List<Map.Entry<String, String>>> present) {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(100 - percent, Arbitraries.just(List.of())),
        net.jqwik.api.Tuple.of(percent, present));
  }

  private static Arbitrary<List<Map.Entry<String, String>>> nameFilter() {
    Arbitrary<String> name = Arbitraries.of("", "a", "b", "B", "a b", "x,y");
    Arbitrary<String> plain = Arbitraries.of("a", "b", "B", "a b");
    Arbitrary<String> in = name.list().ofMinSize(1).ofMaxSize(3).map(names -> "in:" + String.join(",",
        names.stream().map(n -> n.contains(",") || n.isEmpty() ? "\"" + n + "\"" : n).toList()));
    return Arbitraries.oneOf(plain, plain.map(n -> "eq:" + n), in).map(v -> one("name", v));
  }

  private static Arbitrary<List<Map.Entry<String, String>>> sort() {
    Arbitrary<String> key = Arbitraries.of("name", "status", "disk_format", "size", "id", "created_at", "updated_at");
    Arbitrary<String> dir = Arbitraries.of("asc", "desc");
    Arbitrary<List<Map.Entry<String, String>>> classic = Combinators.combine(key, dir, Arbitraries.of(true, false))
        .as((k, d, withDir) -> withDir ? List.of(Map.entry("sort_key", k), Map.entry("sort_dir", d))
            : one("sort_key", k));
    Arbitrary<List<Map.Entry<String, String>>> newSyntax = Combinators.combine(key, Arbitraries.of("", ":asc", ":desc"))
        .as((k, d) -> k + d).list().ofMinSize(1).ofMaxSize(3).withSizeDistribution(RandomDistribution.uniform()).map(items -> one("sort", String.join(",", items)));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.just(List.of())),
        net.jqwik.api.Tuple.of(3, classic), net.jqwik.api.Tuple.of(4, newSyntax));
  }

  // ---- the property

  @Property(tries = 60)
  void pagesFollowTheModel(@ForAll("datasets") List<Spec> dataset, @ForAll("requests") List<Request> requests) {
    World world = load(dataset);
    Statistics.label("data set size").collect(dataset.size() < 12 ? "6-11" : dataset.size() < 20 ? "12-19" : "20+");
    for (Request r : requests) {
      Http http = http(r.caller());
      String url = "/v2/images" + (r.params().isEmpty() ? "" : "?" + encode(r.params()));
      List<String> seen = new ArrayList<>();
      for (int pages = 0; url != null; pages++) {
        assertThat(pages).as("pages of %s", r).isLessThan(60);
        JsonObject page = http.get(url).expect(200).json();
        Page expected = world.page(r.caller(), decode(url));
        List<String> ids = page.getJsonArray("images").stream().map(o -> ((JsonObject) o).getString("id")).toList();
        assertThat(ids).as("%s as %s", url, r.caller()).containsExactlyElementsOf(expected.ids());
        assertThat(page.containsKey("next")).as("next of %s as %s", url, r.caller()).isEqualTo(expected.next());
        if (pages == 0) {
          // "first" is the same request without repeats, so it lists what the model lists for it
          assertThat(http.get(page.getString("first")).expect(200).json().getJsonArray("images").stream()
              .map(o -> ((JsonObject) o).getString("id")).toList())
              .containsExactlyElementsOf(world.page(r.caller(), decode(page.getString("first"))).ids());
        }
        seen.addAll(ids);
        url = page.getString("next");
      }
      Statistics.label("images listed").collect(seen.size() == 0 ? "0" : seen.size() < 4 ? "1-3" : seen.size() < 8 ? "4-7" : "8+");
      Statistics.label("sort").collect(r.params().stream().filter(p -> p.getKey().startsWith("sort"))
          .map(p -> p.getValue().contains(",") ? "several keys" : p.getKey()).findFirst().orElse("default"));
      Set<String> keys = new HashSet<>();
      boolean repeats = r.params().stream().anyMatch(p -> !keys.add(p.getKey()));
      if (!repeats) {
        assertThat(seen).as("all pages of %s as %s", r.params(), r.caller())
            .containsExactlyElementsOf(world.all(r.caller(), r.params()));
      }
    }
  }

  private static Http http(String caller) {
    Http h = new Http("http://127.0.0.1:" + app.port());
    return caller.startsWith("admin@") ? h.as(caller.substring(6), "admin") : h.as(caller, "member", "reader");
  }

  private static String encode(List<Map.Entry<String, String>> params) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> p : params) {
      out.add(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    return String.join("&", out);
  }

  private static List<Map.Entry<String, String>> decode(String url) {
    int q = url.indexOf('?');
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (q < 0) {
      return out;
    }
    for (String piece : url.substring(q + 1).split("&")) {
      int eq = piece.indexOf('=');
      out.add(Map.entry(URLDecoder.decode(piece.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(piece.substring(eq + 1), StandardCharsets.UTF_8)));
    }
    return out;
  }

  // ---- writing a data set

  private static World load(List<Spec> dataset) {
    ImageRepository images = app.images();
    MemberRepository members = app.members();
    for (String id : previous) {
      Image image = images.find(id).await().orElseThrow();
      if (image.isProtected()) {
        Image.Builder b = image.toBuilder();
        b.isProtected = false;
        image = images.update(b.build()).await().orElseThrow();
      }
      images.delete(id).await();
    }
    previous.clear();
    Map<String, Map<String, MemberStatus>> memberships = new HashMap<>();
    List<Image> live = new ArrayList<>();
    for (Spec s : dataset) {
      String id = UUID.randomUUID().toString();
      Image.Builder b = Image.queued(id, s.owner(), CREATED.get(s.createdSlot())).toBuilder();
      b.name = s.name();
      b.visibility = s.visibility();
      b.isProtected = s.isProtected();
      b.osHidden = s.hidden();
      b.diskFormat = s.diskFormat();
      b.containerFormat = "bare";
      b.tags = new LinkedHashSet<>(s.tags());
      b.properties = s.prop() == null ? new TreeMap<>() : new TreeMap<>(Map.of("k", s.prop()));
      images.insert(b.build()).await();
      if (s.fate() == Fate.KILLED) {
        images.startUpload(id, "elsewhere").await();
        images.changeStatus(id, ImageStatus.SAVING, ImageStatus.KILLED).await();
      } else if (s.size() != null) {
        images.startUpload(id, "elsewhere").await();
        images.finishUpload(id, new UploadResult(s.size(), "0".repeat(32), "sha512", "0".repeat(128), null,
            new Location("file", "k/" + id, Map.of()))).await();
      }
      for (Map.Entry<String, MemberStatus> m : s.members().entrySet()) {
        members.add(id, m.getKey()).await();
        if (m.getValue() != MemberStatus.PENDING) {
          members.setStatus(id, m.getKey(), m.getValue()).await();
        }
      }
      if (s.fate() == Fate.DELETED) {
        images.delete(id).await();
      } else {
        previous.add(id);
        live.add(images.find(id).await().orElseThrow());
        memberships.put(id, s.members());
      }
    }
    return new World(live, memberships);
  }

  // ---- the model

  record Page(List<String> ids, boolean next) {}

  /**
   * The images that are not deleted (killed ones included, as the database has them) and their
   * memberships, with the list semantics of spec §4.2 written out plainly.
   */
  record World(List<Image> images, Map<String, Map<String, MemberStatus>> members) {
    Page page(String caller, List<Map.Entry<String, String>> params) {
      Map<String, String> last = last(params);
      List<Image> all = listed(caller, params);
      int limit = last.containsKey("limit") ? Math.min(Integer.parseInt(last.get("limit")), 1000) : 25;
      List<Image> after = all;
      if (last.containsKey("marker")) {
        Image marker = images.stream().filter(i -> i.id().equals(last.get("marker"))).findFirst().orElseThrow();
        Comparator<Image> order = order(params);
        after = all.stream().filter(i -> order.compare(i, marker) > 0).toList();
      }
      List<String> ids = after.stream().limit(limit).map(Image::id).toList();
      return new Page(ids, !ids.isEmpty() && ids.size() == limit);
    }

    /** Every listed image's id, in order, ignoring limit and marker. */
    List<String> all(String caller, List<Map.Entry<String, String>> params) {
      return listed(caller, params).stream().map(Image::id).toList();
    }

    private List<Image> listed(String caller, List<Map.Entry<String, String>> params) {
      boolean admin = caller.startsWith("admin@");
      String project = admin ? caller.substring(6) : caller;
      Map<String, String> last = last(params);
      List<String> tags = params.stream().filter(p -> p.getKey().equals("tag")).map(Map.Entry::getValue).toList();
      List<Image> out = new ArrayList<>();
      for (Image i : images) {
        if (i.status() == ImageStatus.KILLED || !visible(i, admin, project, last)) {
          continue;
        }
        if (i.osHidden() != last.getOrDefault("os_hidden", "false").equalsIgnoreCase("true")) {
          continue;
        }
        if (!i.tags().containsAll(tags) || !matches(i, last)) {
          continue;
        }
        out.add(i);
      }
      out.sort(order(params));
      return out;
    }

    private boolean visible(Image i, boolean admin, String project, Map<String, String> last) {
      String ms = last.getOrDefault("member_status", "accepted");
      MemberStatus membership = members.getOrDefault(i.id(), Map.of()).get(project);
      boolean base = admin || i.visibility() == Visibility.PUBLIC || i.visibility() == Visibility.COMMUNITY
          || project.equals(i.owner())
          || (i.visibility() == Visibility.SHARED && membership != null
              && (ms.equals("all") || membership.wire().equals(ms)));
      String vis = last.get("visibility");
      if (vis == null) {
        return base && (i.visibility() != Visibility.COMMUNITY || project.equals(i.owner()));
      }
      return base && (vis.equals("all") || i.visibility().wire().equals(vis));
    }

    private static boolean matches(Image i, Map<String, String> last) {
      for (Map.Entry<String, String> f : last.entrySet()) {
        String v = f.getValue();
        boolean ok = switch (f.getKey()) {
          case "owner" -> v.equals(i.owner());
          case "name" -> textMatches(i.name(), v);
          case "status" -> textMatches(i.status().wire(), v);
          case "disk_format" -> textMatches(i.diskFormat(), v);
          case "size_min" -> i.size() != null && i.size() >= Long.parseLong(v);
          case "size_max" -> i.size() != null && i.size() <= Long.parseLong(v);
          case "protected" -> i.isProtected() == v.equals("true");
          case "k" -> v.equals(i.properties().get("k"));
          case "created_at" -> {
            int c = i.createdAt().truncatedTo(ChronoUnit.SECONDS).compareTo(Instant.parse(v.substring(v.indexOf(':')
                + 1)));
            yield switch (v.substring(0, v.indexOf(':'))) {
              case "gt" -> c > 0;
              case "gte" -> c >= 0;
              case "lt" -> c < 0;
              case "lte" -> c <= 0;
              case "eq" -> c == 0;
              default -> c != 0;
            };
          }
          default -> true; // visibility, member_status, os_hidden, limit, marker, sort*: handled elsewhere
        };
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private static boolean textMatches(String actual, String filter) {
      if (filter.startsWith("in:")) {
        List<String> values = new ArrayList<>();
        // the generator quotes exactly the values that contain a comma or are empty
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"|([^,]+)")
            .matcher(filter.substring(3));
        while (m.find()) {
          values.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return actual != null && values.contains(actual);
      }
      return (filter.startsWith("eq:") ? filter.substring(3) : filter).equals(actual);
    }

    /** The requested keys, then created_at and id, in the single given direction or else descending. */
    private static Comparator<Image> order(List<Map.Entry<String, String>> params) {
      Map<String, String> last = last(params);
      List<String> keys = new ArrayList<>();
      List<Boolean> asc = new ArrayList<>();
      boolean tieAsc;
      if (last.containsKey("sort")) {
        for (String item : last.get("sort").split(",")) {
          String[] kd = item.split(":");
          keys.add(kd[0]);
          asc.add(kd.length > 1 && kd[1].equals("asc"));
        }
        tieAsc = asc.size() == 1 && asc.get(0);
      } else {
        params.stream().filter(p -> p.getKey().equals("sort_key")).forEach(p -> keys.add(p.getValue()));
        List<String> dirs = params.stream().filter(p -> p.getKey().equals("sort_dir")).map(Map.Entry::getValue)
            .toList();
        if (keys.isEmpty()) {
          keys.add("created_at");
        }
        for (int k = 0; k < keys.size(); k++) {
          asc.add(!dirs.isEmpty() && dirs.get(dirs.size() == 1 ? 0 : k).equals("asc"));
        }
        tieAsc = dirs.size() == 1 && dirs.get(0).equals("asc");
      }
      for (String tieBreaker : List.of("created_at", "id")) {
        if (!keys.contains(tieBreaker)) {
          keys.add(tieBreaker);
          asc.add(tieAsc);
        }
      }
      Comparator<Image> order = null;
      for (int k = 0; k < keys.size(); k++) {
        Comparator<Image> one = Comparator.comparing(value(keys.get(k)),
            Comparator.nullsFirst(Comparator.<Comparable<Object>>naturalOrder()));
        one = asc.get(k) ? one : one.reversed();
        order = order == null ? one : order.thenComparing(one);
      }
      return order;
    }

    @SuppressWarnings("unchecked")
    private static Function<Image, Comparable<Object>> value(String key) {
      Function<Image, ?> f = switch (key) {
        case "name" -> Image::name;
        case "status" -> i -> i.status().wire();
        case "disk_format" -> Image::diskFormat;
        case "size" -> Image::size;
        case "id" -> Image::id;
        case "created_at" -> Image::createdAt;
        case "updated_at" -> Image::updatedAt;
        default -> throw new IllegalArgumentException(key);
      };
      return i -> (Comparable<Object>) f.apply(i);
    }

    private static Map<String, String> last(List<Map.Entry<String, String>> params) {
      Map<String, String> last = new LinkedHashMap<>();
      params.forEach(p -> last.put(p.getKey(), p.getValue()));
      return last;
    }
  }
}
