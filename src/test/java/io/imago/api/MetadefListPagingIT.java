package io.imago.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.db.MetadefRepository;
import io.imago.domain.metadef.Association;
import io.imago.domain.metadef.Namespace;
import io.imago.domain.metadef.NamespaceDocument;
import io.imago.testing.Http;
import io.imago.testing.ImagoServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seeded random: for random catalogs (owners of two projects and none, both visibilities and
 * none, duplicate and missing display names, protected flags, resource type associations) and
 * random list requests (visibility, resource_types, sort_key, sort_dir, limit), as an admin and as
 * readers of either project, following {@code next} from the real server returns page by page
 * exactly what an in-memory model of spec/metadefs.md §2 returns — Glance's way included: the
 * database rule picks a page, the policy then drops what the caller may not
 * {@code get_metadef_namespace} (an ownerless private namespace), and {@code next} is there only
 * when the page shown is full.
 */
class MetadefListPagingIT {
  @RegisterExtension
  static final ImagoServer server = new ImagoServer();

  private static final List<String> OWNERS = List.of("p-one", "p-two", "~");
  private static final List<String> SORT_KEYS = List.of("namespace", "display_name", "visibility", "protected",
      "owner", "created_at");

  record Row(int seq, Namespace ns, List<String> types) {}

  @Test
  void pagesMatchTheModel() {
    Random random = new Random(20260601L);
    MetadefRepository repo = server.app().metadefs();
    for (int round = 0; round < 30; round++) {
      repo.unload().await();
      int n = random.nextInt(9);
      List<NamespaceDocument> docs = new ArrayList<>();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String owner = OWNERS.get(random.nextInt(3));
        String vis = List.of("public", "private", "~").get(random.nextInt(3));
        String display = List.of("a", "B", "b", "~").get(random.nextInt(4));
        Boolean prot = List.of(Boolean.TRUE, Boolean.FALSE).get(random.nextInt(2));
        List<String> types = new ArrayList<>();
        if (random.nextBoolean()) {
          types.add("T::A");
        }
        if (random.nextBoolean()) {
          types.add("T::B");
        }
        Namespace ns = new Namespace(0, "ns" + (char) ('a' + random.nextInt(26)) + i, none(display), null, none(vis),
            prot, none(owner), null, null);
        docs.add(new NamespaceDocument(ns, types.stream().map(t -> new Association(t, null, null, null, null)).toList(),
            List.of(), List.of(), List.of()));
        rows.add(new Row(i, ns, types));
      }
      repo.load(docs, MetadefRepository.LoadMode.SKIP).await();
      for (int q = 0; q < 4; q++) {
        String who = List.of("admin", "p-one", "p-two").get(random.nextInt(3));
        String sortKey = SORT_KEYS.get(random.nextInt(SORT_KEYS.size()));
        boolean asc = random.nextBoolean();
        int limit = 1 + random.nextInt(4);
        String vis = List.of("public", "private", "~").get(random.nextInt(3));
        String rt = List.of("T::A", "T::B", "T::A,T::B", "~").get(random.nextInt(4));
        check(who, rows, sortKey, asc, limit, none(vis), none(rt), "round " + round + " query " + q);
      }
    }
  }

  private void check(String who, List<Row> rows, String sortKey, boolean asc, int limit, String vis, String rt,
      String label) {
    Http http = who.equals("admin") ? server.http().as("p-admin", "admin", "reader")
        : server.http().as(who, "reader");
    boolean admin = who.equals("admin");
    // the model: the database rule, the filters, the order (key, then creation = insertion)
    List<Row> visible = rows.stream()
        .filter(r -> admin || r.ns().owner() == null || "public".equals(r.ns().visibility())
            || who.equals(r.ns().owner()))
        .filter(r -> vis == null || vis.equals(r.ns().visibility()))
        .filter(r -> rt == null || r.types().stream().anyMatch(List.of(rt.split(","))::contains))
        .sorted(order(sortKey, asc)).toList();
    StringBuilder query = new StringBuilder("?sort_key=" + sortKey + "&sort_dir=" + (asc ? "asc" : "desc")
        + "&limit=" + limit);
    if (vis != null) {
      query.append("&visibility=").append(vis);
    }
    if (rt != null) {
      query.append("&resource_types=").append(rt);
    }
    String url = "/v2/metadefs/namespaces" + query;
    int start = 0;
    for (int page = 0; page < 20; page++) {
      List<Row> db = visible.subList(Math.min(start, visible.size()), Math.min(start + limit, visible.size()));
      List<String> shown = db.stream().filter(r -> admin || "public".equals(r.ns().visibility())
          || who.equals(r.ns().owner())).map(r -> r.ns().namespace()).toList();
      JsonObject body = http.get(url).expect(200).json();
      List<Object> got = body.getJsonArray("namespaces").stream().map(x -> ((JsonObject) x).getValue("namespace"))
          .toList();
      assertThat(got).as("%s, %s, page %d of %s", label, who, page, url).containsExactlyElementsOf(shown);
      boolean hasNext = !shown.isEmpty() && shown.size() == limit;
      assertThat(body.containsKey("next")).as("%s next of %s", label, url).isEqualTo(hasNext);
      if (!hasNext) {
        return;
      }
      url = body.getString("next");
      String last = shown.get(shown.size() - 1);
      start = indexOf(visible, last) + 1;
    }
  }

  private static int indexOf(List<Row> rows, String name) {
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).ns().namespace().equals(name)) {
        return i;
      }
    }
    throw new AssertionError(name);
  }

  private static Comparator<Row> order(String key, boolean asc) {
    @SuppressWarnings("rawtypes")
    Function<Row, Comparable> k = switch (key) {
      case "namespace" -> r -> r.ns().namespace();
      case "display_name" -> r -> nz(r.ns().displayName());
      case "visibility" -> r -> nz(r.ns().visibility());
      case "owner" -> r -> nz(r.ns().owner());
      case "protected" -> r -> r.ns().protectedNow();
      default -> r -> r.seq();
    };
    @SuppressWarnings("unchecked")
    Comparator<Row> c = Comparator.comparing(r -> (Comparable<Object>) k.apply(r), Comparator.naturalOrder());
    c = c.thenComparingInt(Row::seq);
    return asc ? c : c.reversed();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String none(String s) {
    return s.equals("~") ? null : s;
  }
}
