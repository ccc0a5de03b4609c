package io.imago.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code target/imago-*-all.jar}, built by {@code package} before failsafe
 * runs) in its own JVM: for what only a separate process shows — its heap limit, a
 * {@code kill -9}, a real SIGTERM.
 */
public final class ForkedServer implements AutoCloseable {
  private static final Pattern SERVING = Pattern.compile("Imago is serving.*url=http://[^:]+:(\\d+)");

  private final Process process;
  private final int port;
  private final Path log;

  private ForkedServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The jar under test: the {@code imago.jar} system property failsafe sets. */
  public static Path jar() {
    String p = System.getProperty("imago.jar");
    if (p == null || !Files.exists(Path.of(p))) {
      throw new IllegalStateException("imago.jar not built (run through `./mvnw verify`): " + p);
    }
    return Path.of(p);
  }

  /**
   * Starts {@code java <jvmArgs> -jar imago-all.jar serve --port 0 <args>} and waits until it
   * serves; its output goes to {@code log}.
   */
  public static ForkedServer start(List<String> jvmArgs, List<String> args, Path log) throws IOException {
    return start(jvmArgs, args, java.util.Map.of(), log);
  }

  /** {@link #start(List, List, Path)} with extra environment variables ({@code IMAGO_*} options). */
  public static ForkedServer start(List<String> jvmArgs, List<String> args, java.util.Map<String, String> env, Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("serve");
    cmd.add("--port");
    cmd.add("0");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
          var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          out.write(line);
          out.newLine();
          out.flush();
          Matcher m = SERVING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (IOException ignored) {
        // process gone
      } finally {
        port.completeExceptionally(new IOException("server exited before serving; see " + log));
      }
    }, "forked-server-output");
    pump.setDaemon(true);
    pump.start();
    try {
      return new ForkedServer(p, port.get(120, TimeUnit.SECONDS), log);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("forked server did not start: " + e.getMessage() + "; log: " + log, e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Http http() {
    return new Http("http://127.0.0.1:" + port);
  }

  public Path log() {
    return log;
  }

  /** Peak resident memory of the server process so far (VmHWM), in bytes. */
  public long peakRssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmHWM for " + process.pid());
  }

  /** SIGKILL: the crash a graceful shutdown never gets to handle. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for the process to exit; returns its exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }
}
