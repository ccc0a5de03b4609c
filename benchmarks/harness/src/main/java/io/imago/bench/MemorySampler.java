package io.imago.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the server's memory while a scenario runs: the resident set of local processes (a pid
 * and all its descendants, from {@code /proc}: Glance runs a parent and worker processes), or, for
 * a remote server, Prometheus' {@code process_resident_memory_bytes} (else the sum of
 * {@code jvm_memory_used_bytes}) from its {@code /metrics}.
 */
public final class MemorySampler implements AutoCloseable {
  private final List<long[]> samples = new ArrayList<>();
  private final ScheduledExecutorService timer;
  private final long start = System.nanoTime();
  private final String source;

  private MemorySampler(String source, java.util.function.LongSupplier probe, Duration every) {
    this.source = source;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-memory");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(() -> {
      long v = probe.getAsLong();
      if (v > 0) {
        synchronized (samples) {
          samples.add(new long[] {(System.nanoTime() - start) / 1_000_000, v});
        }
      }
    }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A sampler for the given pids, else for the metrics URL if it answers with a known gauge; null if neither. */
  public static MemorySampler start(List<Long> pids, String metricsUrl, Duration every) {
    if (!pids.isEmpty()) {
      return new MemorySampler("rss of pid " + pids + " and descendants (/proc)", () -> rss(pids), every);
    }
    if (metricsUrl != null) {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      java.util.function.LongSupplier probe = () -> scrape(c, metricsUrl);
      if (probe.getAsLong() > 0) {
        return new MemorySampler("Prometheus " + metricsUrl, probe, every);
      }
    }
    return null;
  }

  public String source() {
    return source;
  }

  public List<long[]> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  public long peak() {
    return samples().stream().mapToLong(s -> s[1]).max().orElse(0);
  }

  public long first() {
    List<long[]> s = samples();
    return s.isEmpty() ? 0 : s.get(0)[1];
  }

  /** Resident bytes of the processes and their descendants. */
  static long rss(List<Long> pids) {
    long total = 0;
    for (long pid : pids) {
      total += rssTree(pid);
    }
    return total;
  }

  private static long rssTree(long pid) {
    long total = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (Exception e) {
      return 0;
    }
    for (long child : ProcessHandle.of(pid).map(h -> h.children().map(ProcessHandle::pid).toList())
        .orElse(List.of())) {
      total += rssTree(child);
    }
    return total;
  }

  /** Parses the exposition text for the resident set, else the JVM's used memory; 0 when absent. */
  static long parseMetrics(String text) {
    double jvm = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      int sp = line.lastIndexOf(' ');
      if (sp < 0) {
        continue;
      }
      String name = line.substring(0, sp);
      if (name.startsWith("process_resident_memory_bytes")) {
        return (long) Double.parseDouble(line.substring(sp + 1));
      }
      if (name.startsWith("jvm_memory_used_bytes")) {
        jvm += Double.parseDouble(line.substring(sp + 1));
      }
    }
    return (long) jvm;
  }

  private static long scrape(HttpClient c, String url) {
    try {
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? parseMetrics(r.body()) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
