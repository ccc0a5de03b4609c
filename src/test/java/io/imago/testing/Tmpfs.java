package io.imago.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, small file system for a test class: a size-limited tmpfs mounted under {@code target/}
 * before the class's server starts (register it first) and unmounted after it stops. Mounting
 * needs root (CI runs as root); elsewhere {@link #mounted()} is false and the tests skip with the
 * reason.
 */
public final class Tmpfs implements BeforeAllCallback, AfterAllCallback {
  private final long bytes;
  private final Path dir;
  private String whyNot;

  public Tmpfs(long bytes) {
    this.bytes = bytes;
    this.dir = Path.of("target").toAbsolutePath().resolve("tmpfs-" + Long.toHexString(System.nanoTime()));
  }

  /** The mount point; the server's store directory goes inside it. */
  public Path dir() {
    return dir;
  }

  public boolean mounted() {
    return whyNot == null;
  }

  /** Why the file system could not be mounted (for the skip message). */
  public String whyNot() {
    return whyNot;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Files.createDirectories(dir);
    String out = run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", dir.toString());
    whyNot = out == null ? null : "cannot mount a tmpfs here (needs root): " + out;
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (mounted()) {
      run("umount", dir.toString());
    }
  }

  /** Runs a command; null when it succeeded, else what it printed. */
  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return String.join(" ", cmd) + ": timed out";
    }
    String out = new String(p.getInputStream().readAllBytes()).trim();
    return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": exit " + p.exitValue() + " " + out;
  }
}
