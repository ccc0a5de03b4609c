package io.imago.db;

import static io.imago.db.ImageRows.ts;

import io.imago.domain.Image;
import io.imago.domain.ImageQuery;
import io.imago.domain.ImageQuery.Column;
import io.imago.domain.ImageQuery.Sort;
import io.imago.domain.ImageStatus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The one parameterised {@code SELECT} behind a page of {@code GET /v2/images} (spec/images-api.md
 * §4.2): who sees what, the filters, the order, and keyset pagination after the marker row.
 *
 * <p>Every value reaches PostgreSQL as a bind parameter; only column names taken from
 * {@link Column} (a closed set) are written into the text.
 *
 * <p>Order: the requested keys, then {@code created_at} and {@code id} (see {@link ImageQuery#sort()}),
 * so the order is total and a page boundary is a single point. Nulls order as the smallest value
 * (first ascending, last descending), as on Glance's sqlite/MySQL back ends; text orders by the
 * database collation (the embedded database is created with the C locale, i.e. byte order like
 * Glance's sqlite). Unlike Glance, which compares a null marker value as {@code ''}/{@code 0} and
 * so skips or repeats rows when a sort key has nulls, the keyset predicate here treats null as a
 * value of its own.
 */
public final class ImageListQuery {
  private final String sql;
  private final Tuple params;

  private ImageListQuery(String sql, Tuple params) {
    this.sql = sql;
    this.params = params;
  }

  public String sql() {
    return sql;
  }

  public Tuple params() {
    return params;
  }

  /**
   * @param projectId the caller's project (null for a token without one)
   * @param admin {@code context_is_admin}: sees every project's images
   * @param marker the marker image, already checked to be visible; null for the first page
   */
  public static ImageListQuery build(ImageQuery q, String projectId, boolean admin, Image marker) {
    Builder b = new Builder();
    b.where.add("NOT i.deleted");
    b.where.add("i.status <> '" + ImageStatus.KILLED.wire() + "'");
    visibility(b, q, projectId, admin);
    b.where.add("i.os_hidden = " + b.bind(q.osHidden()));
    for (ImageQuery.Filter f : q.filters()) {
      b.where.add(filter(b, f));
    }
    if (marker != null) {
      b.where.add(after(b, q.sort(), marker));
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(columns()).append(" FROM images i WHERE ")
        .append(String.join(" AND ", b.where)).append(" ORDER BY ");
    for (int i = 0; i < q.sort().size(); i++) {
      Sort s = q.sort().get(i);
      sql.append(i == 0 ? "" : ", ").append("i.").append(s.column().wire()).append(s.ascending() ? " ASC" : " DESC");
      // Only spelled out where it matters, so that the default order can use images_live_created_idx.
      if (s.column().nullable()) {
        sql.append(s.ascending() ? " NULLS FIRST" : " NULLS LAST");
      }
    }
    sql.append(" LIMIT ").append(b.bind(q.limit()));
    return new ImageListQuery(sql.toString(), Tuple.from(b.values));
  }

  /**
   * Who sees what (spec §4.2): an admin sees every image; anyone else the public and community
   * images, its own, and the shared images it is a member of with the requested member status.
   * Then the {@code visibility} parameter narrows that down; without it, community images are
   * listed only to their owner.
   */
  private static void visibility(Builder b, ImageQuery q, String projectId, boolean admin) {
    if (!admin) {
      List<String> any = new ArrayList<>();
      any.add("i.visibility IN ('public', 'community')");
      if (projectId != null) {
        String p = b.bind(projectId);
        any.add("i.owner = " + p);
        // Glance lets a token without a project list every shared image that has any member; we
        // list none: such a token can never be a member.
        String status = q.memberStatus() == null ? "" : " AND m.status = " + b.bind(q.memberStatus().wire());
        any.add("(i.visibility = 'shared' AND EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = i.id"
            + " AND m.member_id = " + p + " AND NOT m.deleted" + status + "))");
      }
      b.where.add("(" + String.join(" OR ", any) + ")");
    }
    if (q.visibility() == null) {
      b.where.add(projectId == null ? "i.visibility <> 'community'"
          : "(i.visibility <> 'community' OR i.owner = " + b.bind(projectId) + ")");
    } else if (!q.visibility().equals("all")) {
      b.where.add("i.visibility = " + b.bind(q.visibility()));
    }
  }

  private static String filter(Builder b, ImageQuery.Filter f) {
    if (f instanceof ImageQuery.OneOf o) {
      return o.values().size() == 1
          ? col(o.column()) + " = " + b.bind(o.values().get(0))
          : col(o.column()) + " = ANY(" + b.bind(o.values().toArray(new String[0])) + "::text[])";
    }
    if (f instanceof ImageQuery.Bound r) {
      return col(r.column()) + (r.lower() ? " >= " : " <= ") + b.bind(r.value());
    }
    if (f instanceof ImageQuery.IntEquals e) {
      return col(e.column()) + " = " + b.bind(e.value());
    }
    if (f instanceof ImageQuery.BoolEquals e) {
      return col(e.column()) + " = " + b.bind(e.value());
    }
    if (f instanceof ImageQuery.TimeCompare t) {
      String op = switch (t.op()) {
        case GT -> ">";
        case GTE -> ">=";
        case LT -> "<";
        case LTE -> "<=";
        case EQ -> "=";
        case NEQ -> "<>";
      };
      return "date_trunc('second', " + col(t.column()) + ") " + op + " " + b.bind(ts(t.threshold()));
    }
    if (f instanceof ImageQuery.HasTags t) {
      return "i.tags @> " + b.bind(t.tags().toArray(new String[0])) + "::text[]"; // GIN images_tags_idx
    }
    if (f instanceof ImageQuery.PropertyEquals p) {
      // GIN images_properties_idx (jsonb_path_ops)
      return "i.properties @> " + b.bind(new JsonObject().put(p.key(), p.value())) + "::jsonb";
    }
    if (f instanceof ImageQuery.MatchesNothing) {
      return "FALSE";
    }
    throw new IllegalArgumentException("unknown filter " + f);
  }

  /**
   * Rows strictly after the marker in the sort order: for keys k1..kn, the disjunction over i of
   * "k1..k(i-1) equal the marker's and ki is past the marker's ki". When every key is NOT NULL
   * and all run in one direction, that is a row comparison PostgreSQL can use as an index bound.
   */
  private static String after(Builder b, List<Sort> sort, Image marker) {
    boolean oneDirection = sort.stream().allMatch(s -> s.ascending() == sort.get(0).ascending());
    boolean noNulls = sort.stream().noneMatch(s -> s.column().nullable());
    if (oneDirection && noNulls) {
      List<String> cols = new ArrayList<>();
      List<String> vals = new ArrayList<>();
      for (Sort s : sort) {
        cols.add(col(s.column()));
        vals.add(b.bind(value(marker, s.column())));
      }
      return "(" + String.join(", ", cols) + ") " + (sort.get(0).ascending() ? ">" : "<")
          + " (" + String.join(", ", vals) + ")";
    }
    List<String> any = new ArrayList<>();
    for (int i = 0; i < sort.size(); i++) {
      List<String> all = new ArrayList<>();
      for (int j = 0; j < i; j++) {
        Column c = sort.get(j).column();
        Object v = value(marker, c);
        all.add(v == null ? col(c) + " IS NULL" : col(c) + " = " + b.bind(v));
      }
      Sort s = sort.get(i);
      Object v = value(marker, s.column());
      String past;
      if (s.ascending()) {
        past = v == null ? col(s.column()) + " IS NOT NULL" : col(s.column()) + " > " + b.bind(v);
      } else {
        if (v == null) {
          continue; // nothing is smaller than null
        }
        past = "(" + col(s.column()) + " < " + b.bind(v) + " OR " + col(s.column()) + " IS NULL)";
      }
      all.add(past);
      any.add("(" + String.join(" AND ", all) + ")");
    }
    return any.isEmpty() ? "FALSE" : "(" + String.join(" OR ", any) + ")";
  }

  /** The marker's value of a sort column, typed for binding. */
  private static Object value(Image m, Column c) {
    return switch (c) {
      case ID -> m.id();
      case NAME -> m.name();
      case STATUS -> m.status().wire();
      case CONTAINER_FORMAT -> m.containerFormat();
      case DISK_FORMAT -> m.diskFormat();
      case SIZE -> m.size();
      case CREATED_AT -> ts(m.createdAt());
      case UPDATED_AT -> ts(m.updatedAt());
      default -> throw new IllegalArgumentException("not a sort key: " + c);
    };
  }

  private static String col(Column c) {
    return "i." + c.wire();
  }

  private static String columns() {
    StringBuilder out = new StringBuilder();
    for (String c : ImageRows.COLUMNS.split(",\\s*")) {
      out.append(out.length() == 0 ? "" : ", ").append("i.").append(c);
    }
    return out.toString();
  }

  /** Collects conditions and their bind values ($1, $2, ...). */
  private static final class Builder {
    final List<String> where = new ArrayList<>();
    final List<Object> values = new ArrayList<>();

    String bind(Object value) {
      values.add(value);
      return "$" + values.size();
    }
  }
}
