package io.imago;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.testing.Fixtures;
import io.imago.testing.Http;
import io.imago.testing.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service as an operator runs it: {@code java -jar imago-<version>-all.jar …} in its
 * own process (failsafe runs after {@code package}; the pom passes the jar's path as the system
 * property {@code imago.jar}). Covers the command line, the embedded PostgreSQL end to end (initdb,
 * start, SIGTERM, restart on the same data, {@code kill -9} and the orphaned postmaster it leaves)
 * and an external PostgreSQL.
 */
class FatJarIT {
  private static final Pattern SERVING = Pattern.compile("Imago is serving.* url=(http://\\S+)");

  @TempDir
  Path tmp;

  private final List<Node> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (Node n : started) {
      n.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    // a failed test must not leave a PostgreSQL running behind it
    for (Node n : started) {
      n.postmaster().ifPresent(pg -> {
        pg.destroy();
        pg.onExit().orTimeout(30, TimeUnit.SECONDS).join();
      });
    }
  }

  @Test
  void helpNamesTheCommandsAndTheServeOptions() {
    Run help = run("--help");
    assertThat(help.exit).isZero();
    assertThat(help.out).contains("serve", "config", "--help", "--version");

    Run serveHelp = run("serve", "--help");
    assertThat(serveHelp.exit).isZero();
    assertThat(serveHelp.out).contains("--config=FILE", "--port=PORT", "--bind=ADDRESS", "--data-dir=DIR",
        "--database-url=URL", "IMAGO_HTTP_PORT", "IMAGO_BIND", "IMAGO_DATA_DIR", "IMAGO_DATABASE_URL");

    Run version = run("--version");
    assertThat(version.exit).isZero();
    assertThat(version.out.trim()).matches("imago \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void aBadConfigurationStopsTheServiceWithExitStatus2() throws Exception {
    Run badPort = run("serve", "--port", "99999", "--data-dir", tmp.toString());
    assertThat(badPort.exit).isEqualTo(2);
    assertThat(badPort.out).contains("imago: http.port: 99999 (expected: 0..65535)");

    Path file = Files.writeString(tmp.resolve("typo.yaml"), "images:\n  image_size_kap: 1GB\n");
    Run typo = run("serve", "--config", file.toString(), "--data-dir", tmp.toString());
    assertThat(typo.exit).isEqualTo(2);
    assertThat(typo.out).contains("unknown configuration option(s): images.image_size_kap");
    assertThat(tmp.resolve("postgres")).doesNotExist();
  }

  @Test
  void embeddedPostgresSurvivesRestartsAndAKill9() throws Exception {
    Path data = tmp.resolve("data");
    byte[] bytes = Fixtures.bytes(200_000, 71);

    Node first = start(Map.of(), "serve", "--port", "0", "--data-dir", data.toString());
    assertThat(first.log()).contains("embedded PostgreSQL started");
    first.awaitLog("auth.strategy is noauth: callers are trusted as their identity headers say");
    Http http = new Http(first.url);
    assertThat(http.get("/healthcheck", "Accept", "text/plain").expect(200).body()).isEqualTo("OK");
    String id = Fixtures.activeImage(http, bytes);
    assertThat(Files.readAllBytes(data.resolve("images").resolve(id))).isEqualTo(bytes);

    // a second process on the same data directory must not touch the first one's database
    Run intruder = run("serve", "--port", "0", "--data-dir", data.toString());
    assertThat(intruder.exit).isEqualTo(1);
    assertThat(intruder.out).contains("is in use by another Imago process");
    http.get("/v2/images/" + id).expect(200);

    first.terminate();
    assertThat(first.exited()).as("stopped after SIGTERM").isTrue();
    assertThat(first.log()).contains("embedded PostgreSQL stopped", "Imago stopped");
    assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();

    Node second = start(Map.of(), "serve", "--port", "0", "--data-dir", data.toString());
    http = new Http(second.url);
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("active");
    assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(bytes);

    ProcessHandle orphan = second.postmaster().orElseThrow();
    second.process.destroyForcibly(); // kill -9: PostgreSQL is left running
    assertThat(second.exited()).isTrue();
    assertThat(orphan.isAlive()).as("postmaster left behind by kill -9").isTrue();

    Node third = start(Map.of(), "serve", "--port", "0", "--data-dir", data.toString());
    assertThat(third.log()).contains("stopping an orphaned PostgreSQL");
    // gone (polled: it was not our child, and init reaps it in its own time)
    assertThat(orphan.onExit()).succeedsWithin(30, TimeUnit.SECONDS);
    assertThat(third.postmaster()).get().isNotEqualTo(orphan);
    http = new Http(third.url);
    assertThat(http.get("/v2/images/" + id + "/file").expect(200).bytes()).isEqualTo(bytes);
    String another = Fixtures.activeImage(http, Fixtures.bytes(10, 72));
    http.get("/v2/images/" + another).expect(200);

    third.terminate();
    assertThat(third.exited()).isTrue();
    assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();

    // SIGTERM while starting, once PostgreSQL is up: whether the start completes first (then a
    // graceful stop) or is cut short (then its cleanup), PostgreSQL must not be left running
    Node fourth = launch(Map.of(), "serve", "--port", "0", "--data-dir", data.toString());
    fourth.awaitLog("embedded PostgreSQL started");
    fourth.terminate();
    assertThat(fourth.exited()).isTrue();
    assertThat(fourth.log()).contains("embedded PostgreSQL stopped");
    assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
  }

  @Test
  void anExternalDatabaseUrlStartsNoPostgres() throws Exception {
    Path data = tmp.resolve("external");
    String url = TestPostgres.get().newDatabase();

    Node node = start(Map.of("IMAGO_DATABASE_URL", url), "serve", "--port", "0", "--data-dir", data.toString(),
        "--bind", "0.0.0.0");
    assertThat(node.log()).contains("embedded=false").doesNotContain("embedded PostgreSQL started");
    node.awaitLog("ANYONE WHO CAN REACH THIS PORT CAN ACT AS ANY USER");
    Http http = new Http(node.url);
    String id = Fixtures.activeImage(http, Fixtures.bytes(1000, 73));
    assertThat(http.get("/v2/images/" + id).expect(200).json().getString("status")).isEqualTo("active");
    assertThat(data.resolve("postgres")).doesNotExist();

    node.terminate();
    assertThat(node.exited()).isTrue();
    assertThat(node.log()).contains("Imago stopped");
    // logging.access_log is on by default: one line per request
    assertThat(node.log()).containsPattern("access request method=PUT path=/v2/images/" + id
        + "/file status=204 bytes=0 outcome=sent ms=\\d+ request_id=req-[-0-9a-f]+ remote=127.0.0.1");
  }

  // ---------------------------------------------------------------------------------------------

  private static List<String> java(String... args) {
    String jar = System.getProperty("imago.jar");
    assertThat(jar).as("system property imago.jar (set by the pom)").isNotNull();
    assertThat(Path.of(jar)).as("the fat jar (built by `package`)").exists();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private record Run(int exit, String out) {}

  /** Runs a short command to completion; stdout and stderr together. */
  private Run run(String... args) {
    try {
      Process p = new ProcessBuilder(java(args)).directory(tmp.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new Run(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A running server process and everything it has logged. */
  private final class Node {
    final Process process;
    final StringBuffer output = new StringBuffer();
    final CompletableFuture<String> serving = new CompletableFuture<>();
    final Path dataDir;
    final Thread reader;
    String url;

    Node(Process process, Path dataDir) {
      this.process = process;
      this.dataDir = dataDir;
      this.reader = new Thread(this::read, "fatjar-log-" + process.pid());
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * SIGTERM, as an init system stops a service. (Not {@link Process#destroy()}: it also closes
     * our end of the output pipe, and the shutdown's log lines would be lost.)
     */
    void terminate() {
      process.toHandle().destroy();
    }

    /** Waits until the log has a line containing {@code text}. */
    void awaitLog(String text) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!log().contains(text)) {
        assertThat(process.isAlive()).as("process alive while waiting for '%s':%n%s", text, log()).isTrue();
        assertThat(System.nanoTime()).as("'%s' logged within 90 s:%n%s", text, log()).isLessThan(deadline);
        Thread.sleep(20);
      }
    }

    /** Waits for the process to exit and for its last log lines; false on timeout. */
    boolean exited() throws InterruptedException {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        return false;
      }
      reader.join(10_000);
      return true;
    }

    private void read() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.append(line).append('\n');
          Matcher m = SERVING.matcher(line);
          if (m.find()) {
            serving.complete(m.group(1));
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
      serving.completeExceptionally(new AssertionError("the server exited before serving:\n" + output));
    }

    String log() {
      return output.toString();
    }

    /** The embedded PostgreSQL of this node's data directory, if one is running. */
    Optional<ProcessHandle> postmaster() {
      Path pid = dataDir.resolve("postgres").resolve("postmaster.pid");
      try {
        if (!Files.exists(pid)) {
          return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(pid).get(0).trim())).filter(ProcessHandle::isAlive);
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
    }
  }

  /** Starts {@code serve …} and waits for its "Imago is serving … url=…" line. */
  private Node start(Map<String, String> env, String... args) throws Exception {
    Node node = launch(env, args);
    node.url = node.serving.orTimeout(90, TimeUnit.SECONDS).exceptionally(e -> {
      throw new AssertionError("no 'Imago is serving' line within 90 s:\n" + node.log(), e);
    }).join();
    return node;
  }

  /** Starts {@code serve …} (with a {@code --data-dir}) without waiting. */
  private Node launch(Map<String, String> env, String... args) throws Exception {
    int i = List.of(args).indexOf("--data-dir");
    ProcessBuilder pb = new ProcessBuilder(java(args)).directory(tmp.toFile()).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("IMAGO_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    Node node = new Node(p, Path.of(args[i + 1]));
    started.add(node);
    return node;
  }
}
