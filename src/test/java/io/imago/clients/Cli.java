package io.imago.clients;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line client ({@code glance}, {@code openstack}) as a subprocess and parses the
 * tables it prints. Every call gets a fresh, empty {@code HOME}: glanceclient 4.1 caches the image
 * schema in {@code ~/.glanceclient} and a stale cache breaks later calls
 * (reference-glance/README.md, "Tool quirks"), and the clients must not read a developer's
 * {@code clouds.yaml}. {@code OS_*} variables of the calling environment are dropped for the same
 * reason; stdin is empty.
 */
final class Cli {
  private static final long TIMEOUT_SECONDS = 120;

  private final Path workDir;
  private final List<String> prefix;
  private final Map<String, String> env;

  /** A client whose calls all start with {@code prefix} and see {@code env} (on top of a clean environment). */
  Cli(Path workDir, List<String> prefix, Map<String, String> env) {
    this.workDir = workDir;
    this.prefix = List.copyOf(prefix);
    this.env = Map.copyOf(env);
  }

  /** Whether {@code binary} is an executable on the {@code PATH}. */
  static boolean installed(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
        return true;
      }
    }
    return false;
  }

  /** What a call did. */
  record Result(List<String> command, int exit, String out, String err) {
    /** Asserts a zero exit status, with the whole output in the failure message. */
    Result ok() {
      assertThat(exit).as("exit status of %s%nstdout:%n%s%nstderr:%n%s", command, out, err).isZero();
      return this;
    }

    /** Asserts a failure (non-zero exit status), with the whole output in the failure message. */
    Result failed() {
      assertThat(exit).as("exit status of %s%nstdout:%n%s%nstderr:%n%s", command, out, err).isNotZero();
      return this;
    }

    /** A two-column {@code Property | Value} table as a map (glance's show/create/update output). */
    Map<String, String> properties() {
      Map<String, String> map = new LinkedHashMap<>();
      List<Map<String, String>> rows = rows();
      String last = null;
      for (Map<String, String> row : rows) {
        List<String> cells = new ArrayList<>(row.values());
        String key = cells.get(0);
        String value = cells.get(1);
        if (key.isEmpty() && last != null) {
          map.put(last, map.get(last) + value); // a long value wrapped onto the next line
        } else {
          map.put(key, value);
          last = key;
        }
      }
      return map;
    }

    /** A table's rows, each mapping column title to cell text (trimmed). */
    List<Map<String, String>> rows() {
      List<String> header = null;
      List<Map<String, String>> rows = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (!line.startsWith("|")) {
          continue;
        }
        String[] parts = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
        List<String> cells = new ArrayList<>();
        for (String p : parts) {
          cells.add(p.trim());
        }
        if (header == null) {
          header = cells;
          continue;
        }
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
          row.put(header.get(i), i < cells.size() ? cells.get(i) : "");
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** Runs {@code prefix + args} to completion. */
  Result run(String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(args));
    try {
      Path home = Files.createTempDirectory(workDir, "home-");
      Path out = home.resolve("stdout.txt");
      Path err = home.resolve("stderr.txt");
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("OS_"));
      pb.environment().put("HOME", home.toString());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + command);
      }
      return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
