package io.imago.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end of a run: one JSON document (machine-readable, everything measured) and one
 * self-contained HTML page with inline SVG charts (no scripts, no network: it opens offline).
 */
public final class Report {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
      "#e377c2", "#17becf"};

  private Report() {}

  /** The JSON document of a run. */
  public static Map<String, Object> document(String command, List<Result> results, List<Map<String, Object>> comparisons) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("tool", "imago-bench");
    d.put("generated", Instant.now().toString());
    d.put("command", command);
    d.put("machine", machine());
    List<Object> rs = new ArrayList<>();
    for (Result r : results) {
      rs.add(r.toMap());
    }
    d.put("comparisons", comparisons);
    d.put("results", rs);
    return d;
  }

  /** What the numbers were measured on. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          m.put("cpu", l.substring(l.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          m.put("memory_GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
        }
      }
      m.put("loadavg", Files.readString(Path.of("/proc/loadavg")).trim());
    } catch (IOException | RuntimeException e) {
      // not Linux: the JVM's view is all there is
    }
    return m;
  }

  /** Writes {@code name.json} and {@code name.html} into {@code dir}; returns the HTML path. */
  public static Path write(Path dir, String name, Map<String, Object> doc) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name + ".json"), Json.write(doc) + "\n");
    Path html = dir.resolve(name + ".html");
    Files.writeString(html, html(doc));
    return html;
  }

  @SuppressWarnings("unchecked")
  public static String html(Map<String, Object> doc) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>imago-bench report</title>\n")
        .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
        .append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;")
        .append("text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
        .append(".card{border:1px solid #ddd;border-radius:6px;padding:1em;margin:1em 0}")
        .append(".ok{color:#2a2}.failed{color:#c22}.not-offered{color:#888}svg{margin:.3em}</style></head><body>\n");
    b.append("<h1>imago-bench report</h1>\n<p>").append(esc(String.valueOf(doc.get("generated"))))
        .append("<br><code>").append(esc(String.valueOf(doc.get("command")))).append("</code></p>\n");
    b.append(table(List.of((Map<String, Object>) doc.get("machine")), null));
    List<Map<String, Object>> comparisons = (List<Map<String, Object>>) doc.get("comparisons");
    if (comparisons != null && !comparisons.isEmpty()) {
      b.append("<h2>Side by side</h2>\n");
      for (Map<String, Object> c : comparisons) {
        b.append(comparison(c));
      }
    }
    List<Map<String, Object>> results = (List<Map<String, Object>>) doc.get("results");
    if (results.size() > 1) {
      b.append("<h2>Per-scenario comparison</h2>\n").append(overview(results));
    }
    b.append("<h2>Runs</h2>\n");
    for (Map<String, Object> r : results) {
      b.append(run(r));
    }
    return b.append("</body></html>\n").toString();
  }

  @SuppressWarnings("unchecked")
  private static String comparison(Map<String, Object> c) {
    StringBuilder b = new StringBuilder("<div class=\"card\">");
    String unit = String.valueOf(c.get("unit"));
    b.append("<h3>").append(esc(c.get("scenario") + ": " + c.get("figure"))).append(" (").append(esc(unit))
        .append(Boolean.TRUE.equals(c.get("higher_is_better")) ? ", higher is better" : ", lower is better")
        .append(")</h3>");
    b.append("<p>median ratio ").append(esc(c.get("b") + " / " + c.get("a"))).append(": <b>")
        .append(fmt(c.get("median_ratio_b_over_a"))).append("</b> (per round ")
        .append(esc(fmtList((List<Object>) c.get("ratio_b_over_a_rounds")))).append(")</p>");
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    bars.put(String.valueOf(c.get("a")), toDoubles((List<Object>) c.get("a_rounds")));
    bars.put(String.valueOf(c.get("b")), toDoubles((List<Object>) c.get("b_rounds")));
    Map<String, Object> refs = (Map<String, Object>) c.getOrDefault("references", Map.of());
    refs.forEach((k, v) -> bars.put(k, toDoubles((List<Object>) v)));
    b.append(barChart("per round", bars, unit));
    List<Map<String, Object>> rows = new ArrayList<>();
    bars.forEach((k, v) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("target", k);
      row.put("median " + unit, Pairing.median(v));
      row.put("rounds", fmtList(new ArrayList<>(v)));
      rows.add(row);
    });
    b.append(table(rows, null));
    return b.append("</div>\n").toString();
  }

  @SuppressWarnings("unchecked")
  private static String overview(List<Map<String, Object>> results) {
    Map<String, List<Double>> bars = new LinkedHashMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> r : results) {
      Map<String, Object> p = (Map<String, Object>) r.get("primary");
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("scenario", r.get("scenario"));
      row.put("target", r.get("target"));
      row.put("status", r.get("status"));
      row.put("figure", p == null ? "" : p.get("name"));
      row.put("value", p == null ? "" : p.get("value"));
      row.put("unit", p == null ? "" : p.get("unit"));
      row.put("errors", r.get("errors"));
      rows.add(row);
    }
    return table(rows, null);
  }

  @SuppressWarnings("unchecked")
  private static String run(Map<String, Object> r) {
    StringBuilder b = new StringBuilder("<div class=\"card\">");
    String status = String.valueOf(r.get("status"));
    b.append("<h3>").append(esc(r.get("scenario") + " → " + r.get("target"))).append(" <span class=\"")
        .append(esc(status)).append("\">").append(esc(status)).append("</span></h3>");
    b.append("<p><code>").append(esc(String.valueOf(r.get("endpoint")))).append("</code> ")
        .append(esc(String.valueOf(r.get("note")))).append("</p>");
    Map<String, Object> p = (Map<String, Object>) r.get("primary");
    if (p != null) {
      b.append("<p>").append(esc(String.valueOf(p.get("name")))).append(": <b>").append(fmt(p.get("value")))
          .append(' ').append(esc(String.valueOf(p.get("unit")))).append("</b></p>");
    }
    b.append(table(List.of((Map<String, Object>) r.get("params")), "parameters"));
    b.append(table(List.of((Map<String, Object>) r.get("figures")), "figures"));
    Map<String, Object> series = (Map<String, Object>) r.get("series");
    List<List<Object>> rows = series == null ? List.of() : (List<List<Object>>) series.get("rows");
    if (rows.size() > 1) {
      List<double[]> mb = new ArrayList<>();
      List<double[]> rq = new ArrayList<>();
      for (List<Object> row : rows) {
        double t = ((Number) row.get(0)).doubleValue();
        mb.add(new double[] {t, ((Number) row.get(1)).doubleValue() / 1e6});
        rq.add(new double[] {t, ((Number) row.get(2)).doubleValue()});
      }
      b.append(lineChart("throughput over time", Map.of("MB/s", mb), "second", "MB/s", false));
      b.append(lineChart("requests over time", Map.of("req/s", rq), "second", "req/s", false));
    }
    Map<String, Object> lat = (Map<String, Object>) r.get("latency");
    if (lat != null && !lat.isEmpty()) {
      Map<String, List<double[]>> lines = new LinkedHashMap<>();
      List<Map<String, Object>> latRows = new ArrayList<>();
      lat.forEach((op, v) -> {
        Map<String, Object> s = (Map<String, Object>) v;
        Map<String, Object> pct = (Map<String, Object>) s.get("percentiles_ms");
        List<double[]> pts = new ArrayList<>();
        int i = 0;
        for (Object x : pct.values()) {
          pts.add(new double[] {i++, ((Number) x).doubleValue()});
        }
        lines.put(op, pts);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("operation", op);
        row.put("count", s.get("count"));
        row.put("mean ms", s.get("mean_ms"));
        row.putAll(pct);
        latRows.add(row);
      });
      b.append(lineChart("latency percentiles (ms, log scale)", lines, "percentile", "ms", true,
          percentileLabels()));
      b.append(table(latRows, "latency, ms"));
    }
    Map<String, Object> mem = (Map<String, Object>) r.get("memory");
    if (mem != null) {
      List<double[]> pts = new ArrayList<>();
      for (List<Object> row : (List<List<Object>>) mem.get("rows")) {
        pts.add(new double[] {((Number) row.get(0)).doubleValue() / 1000, ((Number) row.get(1)).doubleValue() / 1e6});
      }
      b.append(lineChart("server memory", Map.of("MB", pts), "second", "MB", false));
    }
    List<Object> errs = (List<Object>) r.get("error_samples");
    if (errs != null && !errs.isEmpty()) {
      b.append("<details><summary>first errors</summary><pre>");
      errs.forEach(e -> b.append(esc(String.valueOf(e))).append('\n'));
      b.append("</pre></details>");
    }
    return b.append("</div>\n").toString();
  }

  private static List<String> percentileLabels() {
    List<String> l = new ArrayList<>();
    for (double q : Latency.PERCENTILES) {
      l.add(Latency.label(q));
    }
    return l;
  }

  /** A line chart; {@code logY} for latencies, which span orders of magnitude. */
  static String lineChart(String title, Map<String, List<double[]>> lines, String xLabel, String yLabel, boolean logY) {
    return lineChart(title, lines, xLabel, yLabel, logY, null);
  }

  /** @param xTicks labels of x = 0, 1, 2 … (e.g. percentile names), or null for the range's ends */
  static String lineChart(String title, Map<String, List<double[]>> lines, String xLabel, String yLabel, boolean logY,
      List<String> xTicks) {
    int w = 600;
    int h = 240;
    int l = 60;
    int r = 190; // room for legends such as "download-cold-first-byte"
    int t = 24;
    int bot = 34;
    double xmin = Double.MAX_VALUE;
    double xmax = -Double.MAX_VALUE;
    double ymax = 0;
    double ymin = Double.MAX_VALUE;
    for (List<double[]> pts : lines.values()) {
      for (double[] p : pts) {
        xmin = Math.min(xmin, p[0]);
        xmax = Math.max(xmax, p[0]);
        ymax = Math.max(ymax, p[1]);
        ymin = Math.min(ymin, p[1] > 0 ? p[1] : Double.MAX_VALUE);
      }
    }
    if (xmax <= xmin) {
      xmax = xmin + 1;
    }
    if (ymax <= 0) {
      ymax = 1;
    }
    double lo = logY ? Math.log10(Math.min(ymin, ymax) / 1.5) : 0;
    double hi = logY ? Math.log10(ymax * 1.5) : ymax * 1.1;
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
        .append("\" role=\"img\"><title>").append(esc(title)).append("</title>");
    b.append("<text x=\"").append(l).append("\" y=\"15\" font-size=\"12\">").append(esc(title)).append("</text>");
    b.append("<rect x=\"").append(l).append("\" y=\"").append(t).append("\" width=\"").append(w - l - r)
        .append("\" height=\"").append(h - t - bot).append("\" fill=\"none\" stroke=\"#999\"/>");
    for (int k = 0; k <= 4; k++) {
      double yv = lo + (hi - lo) * k / 4;
      double y = h - bot - (h - t - bot) * k / 4.0;
      b.append("<text x=\"").append(l - 4).append("\" y=\"").append(Json.round(y + 4))
          .append("\" font-size=\"10\" text-anchor=\"end\">").append(fmt(logY ? Math.pow(10, yv) : yv)).append("</text>");
    }
    if (xTicks != null) {
      for (int k = 0; k < xTicks.size(); k++) {
        double x = l + (w - l - r) * (k - xmin) / (xmax - xmin);
        b.append("<text x=\"").append(Json.round(x)).append("\" y=\"").append(h - bot + 12)
            .append("\" font-size=\"10\" text-anchor=\"middle\">").append(esc(xTicks.get(k))).append("</text>");
      }
    } else {
      b.append("<text x=\"").append(l).append("\" y=\"").append(h - 4).append("\" font-size=\"10\">")
          .append(fmt(xmin)).append("</text><text x=\"").append(w - r).append("\" y=\"").append(h - 4)
          .append("\" font-size=\"10\" text-anchor=\"end\">").append(fmt(xmax)).append("</text>");
    }
    b.append("<text x=\"").append((w - r + l) / 2).append("\" y=\"").append(h - 4)
        .append("\" font-size=\"10\" text-anchor=\"middle\">").append(esc(xLabel)).append("</text>");
    int c = 0;
    for (Map.Entry<String, List<double[]>> e : lines.entrySet()) {
      String color = COLORS[c % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (double[] p : e.getValue()) {
        double yv = logY ? Math.log10(Math.max(p[1], Math.pow(10, lo))) : p[1];
        double x = l + (w - l - r) * (p[0] - xmin) / (xmax - xmin);
        double y = h - bot - (h - t - bot) * (yv - lo) / (hi - lo);
        pts.append(Json.round(x)).append(',').append(Json.round(y)).append(' ');
      }
      b.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
          .append(pts.toString().trim()).append("\"/>");
      b.append("<text x=\"").append(w - r + 6).append("\" y=\"").append(t + 12 + 14 * c)
          .append("\" font-size=\"11\" fill=\"").append(color).append("\">").append(esc(e.getKey())).append("</text>");
      c++;
    }
    return b.append("</svg>\n").toString();
  }

  /** Grouped bars: one group per round, one bar per target. */
  static String barChart(String title, Map<String, List<Double>> bars, String unit) {
    int rounds = bars.values().stream().mapToInt(List::size).max().orElse(0);
    int w = 520;
    int h = 220;
    int l = 60;
    int r = 140;
    int t = 24;
    int bot = 30;
    double max = bars.values().stream().flatMap(List::stream).filter(d -> !d.isNaN()).mapToDouble(d -> d).max()
        .orElse(1);
    max = max <= 0 ? 1 : max * 1.1;
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
        .append("\" role=\"img\"><title>").append(esc(title)).append("</title>");
    b.append("<text x=\"").append(l).append("\" y=\"15\" font-size=\"12\">").append(esc(title + ", " + unit))
        .append("</text>");
    b.append("<line x1=\"").append(l).append("\" y1=\"").append(h - bot).append("\" x2=\"").append(w - r)
        .append("\" y2=\"").append(h - bot).append("\" stroke=\"#999\"/>");
    b.append("<text x=\"").append(l - 4).append("\" y=\"").append(t + 4).append("\" font-size=\"10\" text-anchor=\"end\">")
        .append(fmt(max)).append("</text>");
    double groupW = (w - l - r) / (double) Math.max(1, rounds);
    double barW = groupW * 0.8 / Math.max(1, bars.size());
    int c = 0;
    for (Map.Entry<String, List<Double>> e : bars.entrySet()) {
      String color = COLORS[c % COLORS.length];
      for (int i = 0; i < e.getValue().size(); i++) {
        double v = e.getValue().get(i);
        if (Double.isNaN(v)) {
          continue;
        }
        double bh = (h - t - bot) * v / max;
        double x = l + groupW * i + groupW * 0.1 + barW * c;
        b.append("<rect x=\"").append(Json.round(x)).append("\" y=\"").append(Json.round(h - bot - bh))
            .append("\" width=\"").append(Json.round(barW)).append("\" height=\"").append(Json.round(bh))
            .append("\" fill=\"").append(color).append("\"><title>").append(esc(e.getKey() + " round " + (i + 1)
                + ": " + fmt(v) + " " + unit)).append("</title></rect>");
      }
      b.append("<text x=\"").append(w - r + 6).append("\" y=\"").append(t + 12 + 14 * c)
          .append("\" font-size=\"11\" fill=\"").append(color).append("\">").append(esc(e.getKey())).append("</text>");
      c++;
    }
    for (int i = 0; i < rounds; i++) {
      b.append("<text x=\"").append(Json.round(l + groupW * (i + 0.5))).append("\" y=\"").append(h - bot + 14)
          .append("\" font-size=\"10\" text-anchor=\"middle\">").append(i + 1).append("</text>");
    }
    return b.append("</svg>\n").toString();
  }

  private static String table(List<Map<String, Object>> rows, String caption) {
    if (rows.isEmpty() || rows.get(0) == null || rows.get(0).isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("<table>");
    if (caption != null) {
      b.append("<caption>").append(esc(caption)).append("</caption>");
    }
    b.append("<tr>");
    rows.get(0).keySet().forEach(k -> b.append("<th>").append(esc(k)).append("</th>"));
    b.append("</tr>");
    for (Map<String, Object> row : rows) {
      b.append("<tr>");
      row.values().forEach(v -> b.append("<td>").append(v instanceof Number ? fmt(v) : esc(String.valueOf(v)))
          .append("</td>"));
      b.append("</tr>");
    }
    return b.append("</table>\n").toString();
  }

  private static List<Double> toDoubles(List<Object> l) {
    List<Double> d = new ArrayList<>();
    for (Object o : l) {
      d.add(o instanceof Number n ? n.doubleValue() : Double.NaN);
    }
    return d;
  }

  static String fmt(Object v) {
    if (!(v instanceof Number n)) {
      return esc(String.valueOf(v));
    }
    double d = n.doubleValue();
    if (Double.isNaN(d)) {
      return "–";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return String.format("%,d", (long) d);
    }
    return Math.abs(d) >= 100 ? String.format("%,.0f", d) : Math.abs(d) >= 1 ? String.format("%.2f", d)
        : String.format("%.3g", d);
  }

  private static String fmtList(List<Object> l) {
    List<String> s = new ArrayList<>();
    for (Object o : l) {
      s.add(fmt(o));
    }
    return String.join(", ", s);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
