package io.imago.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;

/**
 * The reference points measured in the same run: nginx serving the same bytes with
 * {@code sendfile} (the download ceiling: no image service can send a file faster than the kernel
 * does), and this machine's hashing speed (the upload ceiling: Glance's contract is MD5 and
 * SHA-512 of every byte).
 */
public final class References {
  private References() {}

  /** A running nginx serving {@code root} on loopback; closing stops it. */
  public static final class Nginx implements AutoCloseable {
    final Process process;
    final Path dir;
    final int port;

    private Nginx(Process p, Path dir, int port) {
      this.process = p;
      this.dir = dir;
      this.port = port;
    }

    public String base() {
      return "http://127.0.0.1:" + port;
    }

    public Path root() {
      return dir.resolve("www");
    }

    /** The worker's pid (for the memory sampler), or the master's. */
    public long pid() {
      return process.pid();
    }

    @Override
    public void close() {
      process.destroy();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }

  /** Starts nginx in the foreground ({@code daemon off}) with the settings of {@code data-path.sh}. */
  public static Nginx nginx(String binary) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("imago-bench-nginx-");
    Files.createDirectories(dir.resolve("www"));
    // nginx's worker drops to an unprivileged user when started as root: it must be able to read the files
    java.util.Set<java.nio.file.attribute.PosixFilePermission> open =
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
    Files.setPosixFilePermissions(dir, open);
    Files.setPosixFilePermissions(dir.resolve("www"), open);
    Files.createDirectories(dir.resolve("tmp"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String conf = """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log;
        events { worker_connections 4096; }
        http {
          access_log off;
          sendfile on;
          tcp_nopush on;
          client_body_temp_path %1$s/tmp;
          proxy_temp_path %1$s/tmp;
          fastcgi_temp_path %1$s/tmp;
          uwsgi_temp_path %1$s/tmp;
          scgi_temp_path %1$s/tmp;
          server { listen 127.0.0.1:%2$d; root %1$s/www; }
        }
        """.formatted(dir, port);
    Files.writeString(dir.resolve("nginx.conf"), conf);
    Process p = new ProcessBuilder(binary, "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    for (int i = 0; i < 100; i++) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return new Nginx(p, dir, port);
      } catch (IOException e) {
        if (!p.isAlive()) {
          throw new IOException("nginx exited: " + Files.readString(dir.resolve("stdout.log")));
        }
        Thread.sleep(50);
      }
    }
    p.destroyForcibly();
    throw new IOException("nginx did not listen on " + port);
  }

  /**
   * MB/s of MD5 and of SHA-512 over the data, each on one thread (as an upload's two digest lanes
   * run), and the slower of the two: the fastest any server can accept an upload on this machine.
   */
  public static Result hashing(Data data) {
    Result r = new Result("hash-ceiling", "hash-ceiling", "jvm MessageDigest");
    double md5 = rate(Digests.md5(), data);
    double sha = rate(Digests.sha512(), data);
    r.figures.put("md5_MBps", md5);
    r.figures.put("sha512_MBps", sha);
    r.params.put("size", data.size());
    r.primary = new Result.Primary("MBps", Math.min(md5, sha), "MB/s", true);
    r.bytes = data.size() * 2;
    return r;
  }

  private static double rate(MessageDigest d, Data data) {
    long t0 = System.nanoTime();
    for (long k = 0; k < data.chunks(); k++) {
      for (ByteBuffer b : data.chunk(k)) {
        d.update(b);
      }
    }
    d.digest();
    return data.size() / 1e6 / ((System.nanoTime() - t0) / 1e9);
  }
}
