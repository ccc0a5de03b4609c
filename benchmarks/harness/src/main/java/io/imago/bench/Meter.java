package io.imago.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one scenario run: bytes moved, requests done, errors, and a latency
 * histogram per operation. Once a second it takes a sample (the time series of the report) and,
 * if a terminal is attached, prints one progress line.
 */
public final class Meter implements AutoCloseable {
  private final LongAdder bytes = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final Map<String, Latency> latencies = new ConcurrentHashMap<>();
  private final List<long[]> series = new ArrayList<>();
  private final List<String> errorSamples = new ArrayList<>();
  private final long start = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private final PrintStream progress;
  private final String label;
  private long[] last = new long[3];
  private long stopped;

  /** @param progress where the per-second line goes; null for none */
  public Meter(String label, PrintStream progress) {
    this.label = label;
    this.progress = progress;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-meter");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  public void bytes(long n) {
    bytes.add(n);
  }

  /** One finished request and its latency in nanoseconds. */
  public void request(String op, long nanos) {
    requests.increment();
    latency(op).record(nanos);
  }

  public void error(String op, Throwable t) {
    errors.increment();
    synchronized (errorSamples) {
      if (errorSamples.size() < 10) {
        errorSamples.add(op + ": " + (t.getCause() != null && t instanceof java.util.concurrent.CompletionException
            ? t.getCause() : t));
      }
    }
  }

  public Latency latency(String op) {
    return latencies.computeIfAbsent(op, k -> new Latency());
  }

  public Map<String, Latency> latencies() {
    return latencies;
  }

  public long totalBytes() {
    return bytes.sum();
  }

  public long totalRequests() {
    return requests.sum();
  }

  public long totalErrors() {
    return errors.sum();
  }

  public List<String> errorSamples() {
    synchronized (errorSamples) {
      return List.copyOf(errorSamples);
    }
  }

  public synchronized double elapsedSeconds() {
    return ((stopped != 0 ? stopped : System.nanoTime()) - start) / 1e9;
  }

  /** Per-second samples: {second, bytes, requests, errors} (deltas). */
  public synchronized List<long[]> series() {
    return List.copyOf(series);
  }

  synchronized void tick() {
    long[] now = {bytes.sum(), requests.sum(), errors.sum()};
    long[] d = {series.size() + 1, now[0] - last[0], now[1] - last[1], now[2] - last[2]};
    series.add(d);
    last = now;
    if (progress != null) {
      progress.printf("[%s %4ds] %,10.1f MB/s  %,8d req/s  %,14d bytes  %,8d requests  %,5d errors%n", label,
          d[0], d[1] / 1e6, d[2], now[0], now[1], now[2]);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    synchronized (this) {
      if (stopped != 0) {
        return;
      }
      stopped = System.nanoTime();
      long[] now = {bytes.sum(), requests.sum(), errors.sum()};
      if (now[0] != last[0] || now[1] != last[1] || now[2] != last[2] || series.isEmpty()) {
        series.add(new long[] {series.size() + 1, now[0] - last[0], now[1] - last[1], now[2] - last[2]});
        last = now;
      }
    }
  }
}
