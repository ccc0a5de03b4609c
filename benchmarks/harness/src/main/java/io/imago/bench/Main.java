package io.imago.bench;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code imago-bench}: drives any Image API v2 endpoint (Imago, the real Glance) over HTTP.
 *
 * <pre>
 * run SCENARIO[,SCENARIO…] --endpoint URL [options]
 * compare SCENARIO --a URL --b URL [--rounds 3] [--with-nginx] [--hash-ceiling] [options]
 * </pre>
 *
 * See {@code benchmarks/README.md} for every option.
 */
public final class Main {
  static final String USAGE = """
      usage:
        imago-bench report FILE.json       (the HTML page again, from a saved JSON result)
        imago-bench run SCENARIO[,SCENARIO...] --endpoint URL [options]
        imago-bench compare SCENARIO --a URL --b URL [--a-label A] [--b-label B] [--rounds 3]
                    [--with-nginx [--nginx-bin nginx]] [--hash-ceiling] [--a-pid P] [--b-pid P] [options]
                    (boot-storm, slow-clients: --with-nginx without --b compares A with nginx)
      scenarios: boot-storm, upload, metadata-mix, cache-admin, slow-clients
      auth: --token T | --os-auth-url URL --os-username U --os-password P --os-project-name N
            [--os-user-domain-name Default] [--os-project-domain-name Default]
            | identity headers --project bench --roles admin,member,reader (default)
      output: --out DIR (default bench-results) --name NAME --quiet (no live progress)
      --warmup N: N unmeasured runs against every target first (JIT warm-up of server and harness)
      memory: --server-pid PID[,PID] | --metrics-url URL (default: ENDPOINT_ROOT/metrics)
      boot-storm:   --clients 8 --images 2 --size 64MiB --hot 1 --verify first|all|none --digest md5|sha512
      upload:       --uploads 4 --size 256MiB --method put|import|both
      metadata-mix: --rate 50 --duration 10s --pool 20 --mix list:50,show:30,create:8,update:8,delete:4
                    --max-in-flight 2000
      cache-admin:  --count 10 --size 8MiB --timeout 120s --cache-api auto|new|legacy
      slow-clients: --readers 50 --size 64MiB --read-rate 256KiB --duration 10s
      --keep leaves the created images in place
      """;

  /** What a command produced. */
  public record Outcome(int exitCode, Map<String, Object> document, Path html) {}

  private Main() {}

  public static void main(String[] args) {
    Outcome o = execute(args, System.out, System.err);
    System.exit(o.exitCode());
  }

  /** Runs a command; never exits the JVM (the smoke tests call this). */
  public static Outcome execute(String[] args, PrintStream out, PrintStream err) {
    Options o = Options.parse(args);
    if (o.positional().size() == 2 && "report".equals(o.positional().get(0))) {
      return rerender(Path.of(o.positional().get(1)), out, err);
    }
    if (o.positional().size() < 2 || !List.of("run", "compare").contains(o.positional().get(0))) {
      err.print(USAGE);
      return new Outcome(2, null, null);
    }
    String command = o.positional().get(0);
    List<String> scenarios = Arrays.asList(o.positional().get(1).split(","));
    for (String s : scenarios) {
      if (!Scenarios.NAMES.contains(s)) {
        err.println("unknown scenario " + s + "; known: " + Scenarios.NAMES);
        return new Outcome(2, null, null);
      }
    }
    PrintStream progress = o.flag("quiet") ? null : err;
    List<Result> results = new ArrayList<>();
    List<Map<String, Object>> comparisons = new ArrayList<>();
    try {
      Api.Auth auth = auth(o);
      if ("run".equals(command)) {
        String endpoint = required(o, "endpoint");
        try (Api api = new Api(endpoint, auth)) {
          Target t = new Target.Glance(o.str("label", host(endpoint)), api);
          int warmup = warmup(o);
          for (String s : scenarios) {
            for (int k = 1; k <= warmup; k++) {
              out.println("# warm-up " + k + " of " + warmup + " (not counted): "
                  + line(Scenarios.run(s, ctx(o, t, progress, o.str("server-pid", ""), endpoint))));
            }
            Result r = Scenarios.run(s, ctx(o, t, progress, o.str("server-pid", ""), endpoint));
            results.add(r);
            out.println(line(r));
          }
        }
      } else {
        if (scenarios.size() != 1) {
          err.println("compare takes one scenario");
          return new Outcome(2, null, null);
        }
        comparisons.add(compare(scenarios.get(0), o, auth, progress, out, results));
      }
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return new Outcome(2, null, null);
    } catch (Exception e) {
      err.println("failed: " + e);
      return new Outcome(1, null, null);
    }
    Map<String, Object> doc = Report.document("imago-bench " + String.join(" ", args), results, comparisons);
    Path html = null;
    try {
      String name = o.str("name", command + "-" + String.join("+", scenarios) + "-"
          + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      html = Report.write(Path.of(o.str("out", "bench-results")), name, doc);
      out.println("report: " + html.toAbsolutePath() + " (and .json)");
    } catch (Exception e) {
      err.println("could not write the report: " + e);
      return new Outcome(1, doc, null);
    }
    List<String> unused = o.unused();
    if (!unused.isEmpty()) {
      err.println("warning: options not used by " + scenarios + ": " + unused);
    }
    boolean failed = results.stream().anyMatch(r -> r.status() == Result.Status.FAILED);
    return new Outcome(failed ? 1 : 0, doc, html);
  }

  /** {@code report FILE.json}: the HTML page again from a saved result, next to it. */
  static Outcome rerender(Path json, PrintStream out, PrintStream err) {
    try {
      Map<String, Object> doc = Json.object(java.nio.file.Files.readString(json));
      Path html = json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", "") + ".html");
      java.nio.file.Files.writeString(html, Report.html(doc));
      out.println("report: " + html.toAbsolutePath());
      return new Outcome(0, doc, html);
    } catch (Exception e) {
      err.println("cannot render " + json + ": " + e);
      return new Outcome(1, null, null);
    }
  }

  private static String line(Result r) {
    String p = r.primary() == null ? "" : String.format("%s = %s %s", r.primary().name(),
        Report.fmt(r.primary().value()), r.primary().unit());
    StringBuilder fb = new StringBuilder();
    for (String phase : List.of("cold", "hot")) {
      if (r.figures().get(phase + "_first_byte_p50_ms") instanceof Double p50
          && r.figures().get(phase + "_first_byte_p99_ms") instanceof Double p99) {
        fb.append(String.format(" %s first byte p50/p99 %s/%s ms", phase, Report.fmt(p50), Report.fmt(p99)));
      }
    }
    return String.format("%-13s %-12s %-11s %s%s  (%d requests, %d errors) %s", r.scenario, r.target,
        r.status().name().toLowerCase().replace('_', '-'), p, fb, r.requests(), r.errors(), r.note());
  }

  /**
   * {@code --warmup N} (default 0): N runs of the scenario against every target before the measured
   * ones, reported but not counted. A freshly started server and the harness's own JVM both run
   * interpreted code at first; the first seconds of a run measure their JIT compilers.
   */
  static int warmup(Options o) {
    int n = o.integer("warmup", 0);
    if (n < 0) {
      throw new IllegalArgumentException("--warmup must be >= 0, got " + n);
    }
    return n;
  }

  private static String required(Options o, String name) {
    String v = o.str(name, null);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required\n" + USAGE);
    }
    return v;
  }

  private static String host(String url) {
    URI u = URI.create(url);
    return u.getHost() + ":" + u.getPort();
  }

  static Api.Auth auth(Options o) throws Exception {
    if (o.has("token")) {
      return Api.Auth.token(o.str("token", null));
    }
    if (o.has("os-auth-url")) {
      return Api.Auth.token(Api.keystoneToken(o.str("os-auth-url", null), required(o, "os-username"),
          required(o, "os-password"), required(o, "os-project-name"), o.str("os-user-domain-name", "Default"),
          o.str("os-project-domain-name", "Default")));
    }
    return Api.Auth.headers(o.str("project", "bench"), o.str("roles", "admin,member,reader"));
  }

  private static Scenarios.Ctx ctx(Options o, Target t, PrintStream progress, String pids, String endpoint) {
    List<Long> p = new ArrayList<>();
    for (String s : pids.split(",")) {
      if (!s.isBlank()) {
        p.add(Long.parseLong(s.trim()));
      }
    }
    String metrics = null;
    if (endpoint != null) {
      URI u = URI.create(endpoint);
      metrics = o.str("metrics-url", u.getScheme() + "://" + u.getAuthority() + "/metrics");
    }
    return new Scenarios.Ctx(t, o, progress, p, metrics);
  }

  /**
   * A, B, A, B … for {@code --rounds}; in each round also the reference points that apply to the
   * scenario (nginx for downloads, the hashing ceiling for uploads).
   */
  static Map<String, Object> compare(String scenario, Options o, Api.Auth auth, PrintStream progress, PrintStream out,
      List<Result> results) throws Exception {
    String a = required(o, "a");
    int rounds = o.integer("rounds", 3);
    boolean downloads = List.of("boot-storm", "slow-clients").contains(scenario);
    boolean withNginx = o.flag("with-nginx") && downloads;
    // Without --b, a download scenario with --with-nginx alternates A and nginx and pairs those.
    String b = withNginx && !o.has("b") ? null : required(o, "b");
    String la = o.str("a-label", "A " + host(a));
    String lb = b == null ? "nginx" : o.str("b-label", "B " + host(b));
    boolean hashCeiling = o.flag("hash-ceiling") && "upload".equals(scenario);
    List<Double> va = new ArrayList<>();
    List<Double> vb = new ArrayList<>();
    Map<String, List<Double>> refs = new LinkedHashMap<>();
    Result.Primary kind = null;
    References.Nginx nginx = withNginx ? References.nginx(o.str("nginx-bin", "nginx")) : null;
    int warmup = warmup(o);
    try (Api apiA = new Api(a, auth); Api apiB = b == null ? null : new Api(b, auth)) {
      for (int k = 1; k <= warmup; k++) {
        // the harness's own JIT warms up too: without this, round 1 measures A with a cold client
        out.println("# warm-up " + k + " of " + warmup + " (not counted)");
        out.println(line(Scenarios.run(scenario, ctx(o, new Target.Glance(la, apiA), progress, o.str("a-pid", ""), a))));
        if (apiB != null) {
          out.println(line(Scenarios.run(scenario, ctx(o, new Target.Glance(lb, apiB), progress, o.str("b-pid", ""), b))));
        }
        if (nginx != null) {
          out.println(line(Scenarios.run(scenario, ctx(o, new Target.Static("nginx", nginx.base(), nginx.root()),
              progress, Long.toString(nginx.pid()), null))));
        }
      }
      for (int round = 1; round <= rounds; round++) {
        out.println("# round " + round + " of " + rounds);
        Result ra = Scenarios.run(scenario, ctx(o, new Target.Glance(la, apiA), progress, o.str("a-pid", ""), a));
        results.add(ra);
        out.println(line(ra));
        va.add(value(ra));
        kind = kind != null ? kind : ra.primary();
        if (apiB != null) {
          Result rb = Scenarios.run(scenario, ctx(o, new Target.Glance(lb, apiB), progress, o.str("b-pid", ""), b));
          results.add(rb);
          out.println(line(rb));
          vb.add(value(rb));
          kind = kind != null ? kind : rb.primary();
        }
        if (nginx != null) {
          Result rn = Scenarios.run(scenario, ctx(o, new Target.Static("nginx", nginx.base(), nginx.root()), progress,
              Long.toString(nginx.pid()), null));
          results.add(rn);
          out.println(line(rn));
          refs.computeIfAbsent("nginx sendfile", k -> new ArrayList<>()).add(value(rn));
          if (apiB == null) {
            vb.add(value(rn));
            kind = kind != null ? kind : rn.primary();
          }
        }
        if (hashCeiling) {
          Result rh = References.hashing(new Data(o.bytes("size", "256MiB"), 7));
          results.add(rh);
          out.println(line(rh));
          refs.computeIfAbsent("hash ceiling (slower of MD5, SHA-512)", k -> new ArrayList<>()).add(value(rh));
        }
      }
    } finally {
      if (nginx != null) {
        nginx.close();
      }
    }
    Map<String, Object> s = Pairing.summary(kind == null ? "-" : kind.name(), kind == null ? "" : kind.unit(),
        kind == null || kind.higherIsBetter(), la, va, lb, vb);
    s.put("scenario", scenario);
    Map<String, Object> refOut = new LinkedHashMap<>();
    refs.forEach((k, v) -> {
      refOut.put(k, v);
      s.put("median_ratio_a_over_" + k.split(" ")[0], Pairing.median(Pairing.ratios(v, va)));
      s.put("median_ratio_b_over_" + k.split(" ")[0], Pairing.median(Pairing.ratios(v, vb)));
    });
    s.put("references", refOut);
    out.printf("%s: median %s/%s = %s (rounds %s)%n", scenario, lb, la, Report.fmt(s.get("median_ratio_b_over_a")),
        s.get("ratio_b_over_a_rounds"));
    return s;
  }

  private static double value(Result r) {
    return r.status() == Result.Status.OK && r.primary() != null ? r.primary().value() : Double.NaN;
  }
}
