package io.imago.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scenario run against one endpoint measured. {@link #primary} is the one figure the
 * side-by-side mode compares (MB/s for data scenarios, a latency for the metadata mix, …); the
 * rest is detail for the report.
 */
public final class Result {
  /** {@code ok}; {@code not-offered} when the endpoint lacks the API the scenario needs; {@code failed}. */
  public enum Status { OK, NOT_OFFERED, FAILED }

  /** The compared figure: name, value, unit, and which way is better. */
  public record Primary(String name, double value, String unit, boolean higherIsBetter) {}

  final String scenario;
  final String target;
  final String endpoint;
  final Instant started = Instant.now();
  Status status = Status.OK;
  String note = "";
  Primary primary;
  double seconds;
  long bytes;
  long requests;
  long errors;
  final Map<String, Object> params = new LinkedHashMap<>();
  final Map<String, Object> figures = new LinkedHashMap<>();
  final Map<String, Object> latency = new LinkedHashMap<>();
  final List<long[]> series = new ArrayList<>();
  final List<long[]> memory = new ArrayList<>();
  final List<String> errorSamples = new ArrayList<>();

  public Result(String scenario, String target, String endpoint) {
    this.scenario = scenario;
    this.target = target;
    this.endpoint = endpoint;
  }

  public Status status() {
    return status;
  }

  public Primary primary() {
    return primary;
  }

  public String note() {
    return note;
  }

  public Map<String, Object> figures() {
    return figures;
  }

  public long errors() {
    return errors;
  }

  public long requests() {
    return requests;
  }

  public long bytes() {
    return bytes;
  }

  Result notOffered(String why) {
    status = Status.NOT_OFFERED;
    note = why;
    return this;
  }

  Result failed(Throwable t) {
    status = Status.FAILED;
    note = String.valueOf(t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause() : t);
    return this;
  }

  /** Copies the meter's totals, series, latencies and error samples. */
  Result from(Meter m) {
    m.close(); // stops the clock and takes the last, partial second
    seconds = m.elapsedSeconds();
    bytes = m.totalBytes();
    requests = m.totalRequests();
    errors = m.totalErrors();
    series.addAll(m.series());
    m.latencies().forEach((op, l) -> latency.put(op, l.summary()));
    errorSamples.addAll(m.errorSamples());
    if (errors > 0 && status == Status.OK && note.isEmpty()) {
      note = errors + " errors, first: " + errorSamples.get(0);
    }
    return this;
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", scenario);
    m.put("target", target);
    m.put("endpoint", endpoint);
    m.put("started", started.toString());
    m.put("status", status.name().toLowerCase().replace('_', '-'));
    m.put("note", note);
    if (primary != null) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("name", primary.name());
      p.put("value", primary.value());
      p.put("unit", primary.unit());
      p.put("higher_is_better", primary.higherIsBetter());
      m.put("primary", p);
    }
    m.put("params", params);
    m.put("seconds", seconds);
    m.put("bytes", bytes);
    m.put("requests", requests);
    m.put("errors", errors);
    m.put("figures", figures);
    m.put("latency", latency);
    List<Object> s = new ArrayList<>();
    for (long[] x : series) {
      s.add(List.of(x[0], x[1], x[2], x[3]));
    }
    m.put("series", Map.of("columns", List.of("second", "bytes", "requests", "errors"), "rows", s));
    if (!memory.isEmpty()) {
      List<Object> ms = new ArrayList<>();
      for (long[] x : memory) {
        ms.add(List.of(x[0], x[1]));
      }
      m.put("memory", Map.of("columns", List.of("millis", "bytes"), "rows", ms));
    }
    m.put("error_samples", errorSamples);
    return m;
  }
}
