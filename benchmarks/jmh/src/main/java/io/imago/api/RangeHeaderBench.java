package io.imago.api;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@code Range} parsing on every download request (Nova's resumed downloads, partial reads). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RangeHeaderBench {
  @Param({"bytes=0-1048575", "bytes=-500", "bytes=1073741824-", "bytes=0-0,5-9"})
  public String range;

  @Benchmark
  public Object parse() {
    return RangeHeader.parse(range, null, 2L << 30);
  }

  @Benchmark
  public Object noRange() {
    return RangeHeader.parse(null, null, 2L << 30);
  }
}
