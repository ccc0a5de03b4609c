package io.imago.bench;

import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The scenarios, each a name and its parameters (see {@link #NAMES} and {@code benchmarks/README.md}).
 * Every scenario cleans up the images it created unless {@code --keep} is given.
 */
public final class Scenarios {
  /** Scenario names, as given on the command line. */
  public static final List<String> NAMES = List.of("boot-storm", "upload", "metadata-mix", "cache-admin",
      "slow-clients");

  /** Everything a scenario run needs. */
  public record Ctx(Target target, Options opts, PrintStream progress, List<Long> serverPids, String metricsUrl) {
    Api api() {
      if (target instanceof Target.Glance g) {
        return g.api;
      }
      throw new IllegalStateException("needs an Image API endpoint");
    }
  }

  private static final ScheduledExecutorService TIMER = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "bench-timer");
    t.setDaemon(true);
    return t;
  });

  private Scenarios() {}

  /** Runs a scenario; a failure becomes a {@code failed} result, never an exception. */
  public static Result run(String name, Ctx ctx) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown scenario " + name + "; known: " + NAMES);
    }
    Result r = new Result(name, ctx.target().label, ctx.target().endpoint());
    try {
      switch (name) {
        case "boot-storm" -> bootStorm(ctx, r);
        case "upload" -> upload(ctx, r);
        case "metadata-mix" -> metadataMix(ctx, r);
        case "cache-admin" -> cacheAdmin(ctx, r);
        case "slow-clients" -> slowClients(ctx, r);
        default -> throw new IllegalStateException(name);
      }
    } catch (Exception e) { // a server's bad answer (even unparsable JSON) is a failed run, not a usage error
      r.failed(e);
    }
    return r;
  }

  private static String prefix(String scenario) {
    return "bench-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static double mbps(long bytes, double seconds) {
    return seconds <= 0 ? 0 : bytes / 1e6 / seconds;
  }

  /**
   * <b>boot-storm</b>: {@code --clients N} compute nodes each download {@code --images M} images of
   * {@code --size} at once (N×M concurrent GETs). The first round is cold (first touch after the
   * upload: a caching server fills its cache here), then {@code --hot R} repeated rounds. Each
   * image's bytes are checked against its {@code checksum} (MD5) or {@code os_hash_value}
   * ({@code --digest sha512}): by one download per image and round ({@code --verify first}, the
   * default, so the client's hashing does not become the bottleneck), by all, or none.
   */
  static void bootStorm(Ctx ctx, Result r) throws Exception {
    int clients = ctx.opts().integer("clients", 8);
    int images = ctx.opts().integer("images", 2);
    long size = ctx.opts().bytes("size", "64MiB");
    int hot = ctx.opts().integer("hot", 1);
    String verify = ctx.opts().str("verify", "first");
    String algo = "sha512".equals(ctx.opts().str("digest", "md5")) ? "SHA-512" : "MD5";
    r.params.putAll(Map.of("clients", clients, "images", images, "size", size, "hot", hot, "verify", verify,
        "digest", algo));
    Data data = new Data(size, 42);
    List<Target.Image> imgs = ctx.target().prepare(prefix("boot"), images, data);
    try (Meter m = new Meter(r.target + " boot-storm", ctx.progress())) {
      for (int round = 0; round <= hot; round++) {
        String phase = round == 0 ? "cold" : "hot";
        long t0 = System.nanoTime();
        long b0 = m.totalBytes();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          for (Target.Image img : imgs) {
            boolean check = "all".equals(verify) || ("first".equals(verify) && c == 0);
            all.add(download(ctx.target(), img, check ? algo : null, m, "download-" + phase, 0, () -> false));
          }
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).exceptionally(t -> null).join();
        double s = (System.nanoTime() - t0) / 1e9;
        double rate = mbps(m.totalBytes() - b0, s);
        if (round == 0) {
          r.figures.put("cold_MBps", rate);
          r.figures.put("cold_seconds", s);
        } else {
          r.figures.merge("hot_MBps_rounds", new ArrayList<>(List.of(rate)), (a, b) -> {
            @SuppressWarnings("unchecked") List<Object> l = (List<Object>) a;
            l.addAll((List<?>) b);
            return l;
          });
        }
      }
      r.from(m);
      r.figures.putAll(firstByteFigures(m.latencies()));
    } finally {
      if (!ctx.opts().flag("keep")) {
        ctx.target().cleanup(imgs);
      }
    }
    r.primary = new Result.Primary("cold_MBps", (double) r.figures.get("cold_MBps"), "MB/s", true);
    if (r.errors > 0) {
      r.status = Result.Status.FAILED;
    }
  }

  /**
   * The time to first byte of the cold and hot downloads, p50 and p99 in ms
   * ({@code cold_first_byte_p50_ms} …), from the {@code download-<phase>-first-byte} histograms:
   * how long a compute node waits before its image starts to arrive while the others stream.
   */
  static Map<String, Object> firstByteFigures(Map<String, Latency> latencies) {
    Map<String, Object> f = new LinkedHashMap<>();
    for (String phase : List.of("cold", "hot")) {
      Latency l = latencies.get("download-" + phase + "-first-byte");
      if (l != null && l.count() > 0) {
        f.put(phase + "_first_byte_p50_ms", l.percentile(50) / 1e6);
        f.put(phase + "_first_byte_p99_ms", l.percentile(99) / 1e6);
      }
    }
    return f;
  }

  /** One GET of an image; checks status, size and (if asked) the digest; records latency and TTFB. */
  static CompletableFuture<Void> download(Target t, Target.Image img, String algo, Meter m, String op,
      long bytesPerSecond, java.util.function.BooleanSupplier stop) {
    long start = System.nanoTime();
    return t.client().sendAsync(t.get(img.url()).build(), Download.handler(algo, m, bytesPerSecond, TIMER, stop))
        .thenAccept((HttpResponse<Download.Result> resp) -> {
          Download.Result d = resp.body();
          if (d.status() != 200) {
            throw new Api.HttpError("GET " + img.url(), d.status(), d.errorBody());
          }
          if (stop.getAsBoolean()) {
            m.request(op, System.nanoTime() - start);
            return; // a reader that hung up on purpose has no full body to check
          }
          if (d.bytes() != img.size()) {
            throw new IllegalStateException("GET " + img.id() + ": " + d.bytes() + " bytes, expected " + img.size());
          }
          String want = "MD5".equals(algo) ? img.md5() : img.sha512();
          if (algo != null && !want.equals(d.digestHex())) {
            throw new IllegalStateException("GET " + img.id() + ": " + algo + " " + d.digestHex() + " != " + want);
          }
          m.request(op, System.nanoTime() - start);
          if (d.firstByteNanos() >= 0) {
            m.latency(op + "-first-byte").record(d.firstByteNanos());
          }
        })
        .whenComplete((v, e) -> {
          if (e != null) {
            m.error(op, e);
          }
        });
  }

  /**
   * <b>upload</b>: {@code --uploads K} concurrent uploads of {@code --size} generated bytes, by
   * {@code --method put} ({@code PUT /file}), {@code import} ({@code PUT /stage} then
   * {@code POST /import} with {@code glance-direct}, only if {@code GET /v2/info/import}
   * advertises it; otherwise reported as not offered), or {@code both}. Every image must end
   * {@code active} with the {@code checksum} and {@code os_hash_value} of the data, computed before
   * the clock starts.
   */
  static void upload(Ctx ctx, Result r) throws Exception {
    Api api = ctx.api();
    int k = ctx.opts().integer("uploads", 4);
    long size = ctx.opts().bytes("size", "256MiB");
    String method = ctx.opts().str("method", "put");
    Duration timeout = ctx.opts().duration("timeout", "30m");
    r.params.putAll(Map.of("uploads", k, "size", size, "method", method));
    Data data = new Data(size, 7);
    String[] want = data.digests();
    boolean importOffered = api.importMethods().contains("glance-direct");
    r.figures.put("glance_direct_offered", importOffered);
    if ("import".equals(method) && !importOffered) {
      r.notOffered("the endpoint does not advertise glance-direct in GET /v2/info/import");
      return;
    }
    List<String> created = Collections.synchronizedList(new ArrayList<>());
    try (Meter m = new Meter(r.target + " upload", ctx.progress())) {
      data.counting(m::bytes);
      for (String how : "both".equals(method) ? List.of("put", "import") : List.of(method)) {
        if ("import".equals(how) && !importOffered) {
          r.figures.put("import", "not offered");
          continue;
        }
        long t0 = System.nanoTime();
        long b0 = m.totalBytes();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          long start = System.nanoTime();
          all.add(api.createImage(prefix("upload"), Map.of()).thenCompose(img -> {
            String id = (String) img.get("id");
            created.add(id);
            CompletableFuture<Void> sent = "put".equals(how) ? api.upload(id, data)
                : api.stage(id, data).thenCompose(v -> api.importDirect(id));
            return sent.thenCompose(v -> api.awaitSettled(id, System.nanoTime() + timeout.toNanos()));
          }).thenAccept(img -> {
            if (!"active".equals(img.get("status")) || !want[0].equals(img.get("checksum"))
                || (img.get("os_hash_value") != null && !want[1].equals(img.get("os_hash_value")))) {
              throw new IllegalStateException("image " + img.get("id") + " ended " + img.get("status")
                  + " checksum " + img.get("checksum") + ", expected active " + want[0]);
            }
            m.request(how, System.nanoTime() - start);
          }).whenComplete((v, e) -> {
            if (e != null) {
              m.error(how, e);
            }
          }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).exceptionally(t -> null).join();
        double s = (System.nanoTime() - t0) / 1e9;
        r.figures.put(how + "_MBps", mbps(m.totalBytes() - b0, s));
        r.figures.put(how + "_seconds", s);
      }
      r.from(m);
    } finally {
      if (!ctx.opts().flag("keep")) {
        api.deleteAll(created);
      }
    }
    String first = r.figures.containsKey("put_MBps") ? "put_MBps" : "import_MBps";
    r.primary = new Result.Primary(first, (double) r.figures.get(first), "MB/s", true);
    if (r.errors > 0) {
      r.status = Result.Status.FAILED;
    }
  }

  /** Parses {@code list:50,show:30,...} into cumulative weights. */
  static LinkedHashMap<String, Integer> mix(String spec) {
    LinkedHashMap<String, Integer> m = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split(":");
      if (!List.of("list", "show", "create", "update", "delete").contains(kv[0])) {
        throw new IllegalArgumentException("unknown operation in --mix: " + kv[0]);
      }
      m.put(kv[0], Integer.parseInt(kv[1]));
    }
    return m;
  }

  static String pick(Map<String, Integer> mix, int roll) {
    int total = mix.values().stream().mapToInt(Integer::intValue).sum();
    int x = Math.floorMod(roll, total);
    for (Map.Entry<String, Integer> e : mix.entrySet()) {
      x -= e.getValue();
      if (x < 0) {
        return e.getKey();
      }
    }
    throw new IllegalStateException();
  }

  /**
   * <b>metadata-mix</b>: list/show/create/update/delete at {@code --rate} requests per second for
   * {@code --duration}, open loop ({@link OpenLoop}: latencies are measured from each request's
   * intended start, so a stall is not hidden), in the proportions of {@code --mix}, over a pool of
   * {@code --pool} images made beforehand. The compared figure is the 99th percentile.
   */
  static void metadataMix(Ctx ctx, Result r) throws Exception {
    Api api = ctx.api();
    double rate = ctx.opts().number("rate", 50);
    Duration duration = ctx.opts().duration("duration", "10s");
    int pool = ctx.opts().integer("pool", 20);
    int maxInFlight = ctx.opts().integer("max-in-flight", 2000);
    Map<String, Integer> mix = mix(ctx.opts().str("mix", "list:50,show:30,create:8,update:8,delete:4"));
    r.params.putAll(Map.of("rate", rate, "duration_s", duration.toMillis() / 1000.0, "pool", pool,
        "mix", mix.toString(), "max_in_flight", maxInFlight));
    String prefix = prefix("meta");
    ConcurrentLinkedDeque<String> images = new ConcurrentLinkedDeque<>();
    List<String> created = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Map<String, Object>>> seeds = new ArrayList<>();
    for (int i = 0; i < pool; i++) {
      seeds.add(api.createImage(prefix + "-" + i, Map.of()));
    }
    for (CompletableFuture<Map<String, Object>> f : seeds) {
      String id = (String) f.join().get("id");
      images.add(id);
      created.add(id);
    }
    long count = (long) (rate * duration.toNanos() / 1e9);
    Random random = new Random(1);
    OpenLoop.Outcome out;
    try (Meter m = new Meter(r.target + " metadata-mix", ctx.progress())) {
      out = OpenLoop.run(OpenLoop.SYSTEM, rate, count, maxInFlight, i -> {
        String op = pick(mix, random.nextInt(1 << 20));
        String some = randomOf(images);
        if (("delete".equals(op) && images.size() <= pool / 2) || (some == null && !"list".equals(op))) {
          op = "create"; // keep the pool from running dry
        }
        CompletableFuture<?> f = switch (op) {
          case "list" -> api.list("?limit=20");
          case "show" -> api.image(some);
          case "update" -> api.setProperty(some, "bench_n", Long.toString(i));
          case "delete" -> {
            String victim = images.pollLast();
            yield victim == null ? api.list("?limit=1") : api.delete(victim);
          }
          default -> api.createImage(prefix + "-c" + i, Map.of()).thenAccept(img -> {
            String id = (String) img.get("id");
            created.add(id);
            images.addFirst(id);
          });
        };
        return new OpenLoop.Issued(op, f);
      }, (op, due, latency, error) -> {
        if (error != null) {
          m.error(op, error);
        } else {
          m.request(op, latency);
          m.latency("all").record(latency);
        }
      });
      // wait for the stragglers, then the meter's totals are final
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (m.totalRequests() + m.totalErrors() < count && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      r.from(m);
    } finally {
      if (!ctx.opts().flag("keep")) {
        api.deleteAll(List.copyOf(created));
      }
    }
    // "all" is a summary of the others, not more requests: keep the request count honest
    r.figures.put("intended_rate", rate);
    r.figures.put("achieved_rate", r.requests / Math.max(1e-9, r.seconds));
    r.figures.put("refused_in_flight_limit", out.refused());
    @SuppressWarnings("unchecked")
    Map<String, Object> all = (Map<String, Object>) r.latency.get("all");
    @SuppressWarnings("unchecked")
    double p99 = all == null ? 0 : ((Number) ((Map<String, Object>) all.get("percentiles_ms")).get("p99")).doubleValue();
    r.primary = new Result.Primary("p99_ms", p99, "ms", false);
  }

  private static String randomOf(ConcurrentLinkedDeque<String> images) {
    Object[] a = images.toArray();
    return a.length == 0 ? null : (String) a[ThreadLocalRandom.current().nextInt(a.length)];
  }

  /**
   * <b>cache-admin</b>: queues {@code --count} images of {@code --size} for the node cache
   * ({@code PUT /v2/cache/{id}}, image API 2.14; or {@code --cache-api legacy}:
   * {@code PUT /v2/queued_images/{id}}, the endpoint {@code glance-cache-manage} uses) and polls
   * every 250 ms until all are cached ({@code --timeout}). An endpoint that answers 404 for the
   * cache API is reported as not offered.
   */
  @SuppressWarnings("unchecked")
  static void cacheAdmin(Ctx ctx, Result r) throws Exception {
    Api api = ctx.api();
    int count = ctx.opts().integer("count", 10);
    long size = ctx.opts().bytes("size", "8MiB");
    Duration timeout = ctx.opts().duration("timeout", "120s");
    String which = ctx.opts().str("cache-api", "auto");
    r.params.putAll(Map.of("count", count, "size", size, "timeout_s", timeout.toSeconds(), "cache_api", which));
    boolean modern = api.probe("GET", "/v2/cache").join().statusCode() / 100 == 2;
    boolean legacy = api.probe("GET", "/v2/cached_images").join().statusCode() / 100 == 2;
    boolean useModern = switch (which) {
      case "new" -> modern;
      case "legacy" -> false;
      default -> modern;
    };
    if (!(useModern || (legacy && !"new".equals(which)))) {
      r.notOffered("GET /v2/cache → " + api.probe("GET", "/v2/cache").join().statusCode()
          + ", GET /v2/cached_images → " + api.probe("GET", "/v2/cached_images").join().statusCode());
      return;
    }
    r.figures.put("cache_api", useModern ? "/v2/cache" : "/v2/queued_images");
    List<Target.Image> imgs = ctx.target().prepare(prefix("cache"), count, new Data(size, 3));
    try (Meter m = new Meter(r.target + " cache-admin", ctx.progress())) {
      long t0 = System.nanoTime();
      List<CompletableFuture<Void>> queued = new ArrayList<>();
      for (Target.Image img : imgs) {
        long s = System.nanoTime();
        String path = (useModern ? "/v2/cache/" : "/v2/queued_images/") + img.id();
        queued.add(api.text("queue", api.request(path).PUT(java.net.http.HttpRequest.BodyPublishers.noBody()).build())
            .thenAccept(x -> m.request("queue", System.nanoTime() - s))
            .whenComplete((v, e) -> {
              if (e != null) {
                m.error("queue", e);
              }
            }));
      }
      CompletableFuture.allOf(queued.toArray(new CompletableFuture[0])).exceptionally(t -> null).join();
      r.figures.put("queue_seconds", (System.nanoTime() - t0) / 1e9);
      java.util.Set<String> want = new java.util.HashSet<>(imgs.stream().map(Target.Image::id).toList());
      long end = t0 + timeout.toNanos();
      int cached = 0;
      while (true) {
        long s = System.nanoTime();
        Map<String, Object> state = api.json("GET cache", api.request(useModern ? "/v2/cache" : "/v2/cached_images")
            .GET().build()).join();
        m.request("poll", System.nanoTime() - s);
        cached = 0;
        for (Object o : (List<Object>) state.getOrDefault("cached_images", List.of())) {
          if (o instanceof Map<?, ?> c && want.contains(String.valueOf(c.get("image_id")))) {
            cached++;
          }
        }
        if (cached == want.size() || System.nanoTime() > end) {
          break;
        }
        Thread.sleep(250);
      }
      double drain = (System.nanoTime() - t0) / 1e9;
      r.figures.put("cached", cached);
      r.figures.put("drain_seconds", drain);
      r.from(m);
      if (cached < want.size()) {
        r.status = Result.Status.FAILED;
        r.note = cached + " of " + want.size() + " images cached after " + timeout.toSeconds() + " s";
      }
      r.primary = new Result.Primary("drain_seconds", drain, "s", false);
    } finally {
      for (Target.Image img : imgs) {
        if (useModern) {
          api.probe("DELETE", "/v2/cache/" + img.id()).exceptionally(t -> null).join();
        }
      }
      if (!ctx.opts().flag("keep")) {
        ctx.target().cleanup(imgs);
      }
    }
  }

  /**
   * <b>slow-clients</b>: {@code --readers C} downloads of one {@code --size} image, each reading at
   * most {@code --read-rate} bytes per second, for {@code --duration} (then they hang up). The
   * server's memory is sampled every 250 ms ({@code --server-pid}, else the endpoint's
   * {@code /metrics}); a streaming server's memory stays flat however many readers wait, one that
   * buffers grows with them. The compared figure is the peak resident memory.
   */
  static void slowClients(Ctx ctx, Result r) throws Exception {
    int readers = ctx.opts().integer("readers", 50);
    long size = ctx.opts().bytes("size", "64MiB");
    long rate = ctx.opts().bytes("read-rate", "256KiB");
    Duration duration = ctx.opts().duration("duration", "10s");
    r.params.putAll(Map.of("readers", readers, "size", size, "read_rate", rate, "duration_s",
        duration.toMillis() / 1000.0));
    List<Target.Image> imgs = ctx.target().prepare(prefix("slow"), 1, new Data(size, 11));
    MemorySampler mem = MemorySampler.start(ctx.serverPids(), ctx.metricsUrl(), Duration.ofMillis(250));
    try (Meter m = new Meter(r.target + " slow-clients", ctx.progress())) {
      Thread.sleep(300); // a baseline sample before the readers connect
      AtomicBoolean stop = new AtomicBoolean();
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        all.add(download(ctx.target(), imgs.get(0), null, m, "slow-read", rate, stop::get));
      }
      CompletableFuture<Void> done = CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
      try {
        done.get(duration.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        stop.set(true);
      } catch (java.util.concurrent.ExecutionException e) {
        // counted by the meter
      }
      done.exceptionally(t -> null).get(30, java.util.concurrent.TimeUnit.SECONDS);
      r.from(m);
    } finally {
      if (mem != null) {
        mem.close();
      }
      if (!ctx.opts().flag("keep")) {
        ctx.target().cleanup(imgs);
      }
    }
    r.figures.put("delivered_MBps", mbps(r.bytes, r.seconds));
    if (mem != null && mem.peak() > 0) {
      r.memory.addAll(mem.samples());
      r.figures.put("memory_source", mem.source());
      r.figures.put("memory_baseline_MB", mem.first() / 1e6);
      r.figures.put("memory_peak_MB", mem.peak() / 1e6);
      r.figures.put("memory_growth_per_reader_KB", (mem.peak() - mem.first()) / 1e3 / readers);
      r.primary = new Result.Primary("memory_peak_MB", mem.peak() / 1e6, "MB", false);
    } else {
      r.figures.put("memory_source", "not measured: give --server-pid, or the endpoint has no /metrics gauge");
      r.primary = new Result.Primary("delivered_MBps", mbps(r.bytes, r.seconds), "MB/s", true);
    }
    if (r.errors > 0) {
      r.status = Result.Status.FAILED;
    }
  }
}
