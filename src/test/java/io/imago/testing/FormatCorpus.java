package io.imago.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Disk images made at test time: every format and subformat {@code qemu-img} writes (converted from
 * one raw disk with data in it, so that clusters are allocated and stream-optimized files have
 * their footer after data), ISO and partition-table images written by hand, and the hostile images
 * of CVE-2024-32498's class. Made once per JVM under {@code target/format-corpus}.
 */
public final class FormatCorpus {
  /** One image: what qemu-img made it as, what the spec says it is. */
  public record Image(String name, String diskFormat, Path path, long qemuVirtualSize, String qemuFormat) {
    public byte[] bytes() {
      try {
        return Files.readAllBytes(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static final long DISK = 4L << 20;
  private static FormatCorpus instance;
  private final Path dir;
  private final Map<String, Image> images = new LinkedHashMap<>();

  /** The corpus; needs qemu-img (Debian's qemu-utils). */
  public static synchronized FormatCorpus get() {
    if (instance == null) {
      try {
        instance = new FormatCorpus(Path.of("target", "format-corpus").toAbsolutePath());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  public static boolean qemuImgAvailable() {
    try {
      return new ProcessBuilder("qemu-img", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private FormatCorpus(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    Path source = dir.resolve("source.raw");
    byte[] disk = new byte[(int) DISK];
    Random random = new Random(20240625);
    byte[] data = new byte[1 << 20];
    random.nextBytes(data);
    System.arraycopy(data, 0, disk, 64 * 1024, data.length); // zeros first: no signature by chance
    Files.write(source, disk);
    put("raw", "raw", source);
    convert("qcow2-v2", "qcow2", "qcow2", "compat=0.10");
    convert("qcow2-v3", "qcow2", "qcow2", "compat=1.1");
    convert("qcow2-v3-lazy-refcounts", "qcow2", "qcow2", "compat=1.1,lazy_refcounts=on");
    convert("qcow2-v3-zstd", "qcow2", "qcow2", "compression_type=zstd");
    convert("qcow2-v3-extended-l2", "qcow2", "qcow2", "extended_l2=on");
    convert("qed", "qed", "qed", null);
    convert("vhd-dynamic", "vhd", "vpc", "subformat=dynamic");
    convert("vhd-fixed", "vhd", "vpc", "subformat=fixed");
    convert("vhdx-dynamic", "vhdx", "vhdx", "subformat=dynamic");
    convert("vhdx-fixed", "vhdx", "vhdx", "subformat=fixed");
    convert("vmdk-monolithicSparse", "vmdk", "vmdk", "subformat=monolithicSparse");
    convert("vmdk-streamOptimized", "vmdk", "vmdk", "subformat=streamOptimized");
    put("vmdk-streamOptimized-footer", "vmdk", write("vmdk-streamOptimized-footer.img",
        withFooter(images.get("vmdk-streamOptimized").bytes())));
    convert("vmdk-monolithicFlat", "vmdk", "vmdk", "subformat=monolithicFlat");
    convert("vmdk-twoGbMaxExtentSparse", "vmdk", "vmdk", "subformat=twoGbMaxExtentSparse");
    convert("vdi-dynamic", "vdi", "vdi", null);
    convert("vdi-static", "vdi", "vdi", "static=on");
    Path luks = dir.resolve("luks.img");
    Files.deleteIfExists(luks);
    for (int attempt = 1; ; attempt++) { // its PBKDF benchmark fails now and then on a busy machine
      try {
        qemu("create", "-f", "luks", "--object", "secret,id=s0,data=imago", "-o", "key-secret=s0,iter-time=10",
            luks.toString(), Long.toString(DISK));
        break;
      } catch (IllegalStateException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
    put("luks", "luks", luks);
    put("iso", "iso", write("iso.img", iso(null)));
    put("gpt", "gpt", write("gpt.img", partitioned(true)));
    put("mbr", "gpt", write("mbr.img", partitioned(false)));
    hostile();
  }

  private void hostile() throws IOException {
    // a backing file that is a host file
    Path backing = dir.resolve("hostile-backing-file.qcow2");
    Files.deleteIfExists(backing);
    qemu("create", "-f", "qcow2", "-u", "-F", "raw", "-b", "/etc/passwd", backing.toString(), "4M");
    hostile("hostile-backing-file", "qcow2", backing);
    // the external data file bit (incompatible feature 2), set by hand: qemu-img would write the file
    byte[] v3 = images.get("qcow2-v3").bytes();
    byte[] dataFile = v3.clone();
    dataFile[0x48 + 7] |= 0x04;
    hostile("hostile-data-file", "qcow2", write("hostile-data-file.qcow2", dataFile));
    byte[] unknown = v3.clone();
    unknown[0x48 + 7] |= 0x20; // bit 5: not a feature qcow2 knows
    hostile("hostile-unknown-feature", "qcow2", write("hostile-unknown-feature.qcow2", unknown));
    // a sparse VMDK whose embedded descriptor adds a flat extent that is a host file
    byte[] sparse = images.get("vmdk-monolithicSparse").bytes();
    hostile("hostile-vmdk-host-extent", "vmdk", write("hostile-vmdk-host-extent.vmdk",
        withDescriptor(sparse, descriptor("monolithicSparse", "RW 8192 SPARSE \"x.vmdk\"\nRW 2048 FLAT \"/etc/passwd\" 0"))));
    hostile("hostile-vmdk-bad-type", "vmdk", write("hostile-vmdk-bad-type.vmdk",
        withDescriptor(sparse, descriptor("vmfs", "RW 8192 VMFS \"x.vmdk\""))));
    hostile("hostile-vmdk-malformed", "vmdk", write("hostile-vmdk-malformed.vmdk",
        withDescriptor(sparse, descriptor("monolithicSparse", "RW 8192 SPARSE \"x.vmdk\"\nthis is not a descriptor line"))));
    hostile("hostile-vmdk-text-host-extent", "vmdk", write("hostile-vmdk-text-host-extent.vmdk",
        descriptor("monolithicFlat", "RW 8192 FLAT \"/etc/shadow\" 0").getBytes(StandardCharsets.US_ASCII)));
    byte[] stream = images.get("vmdk-streamOptimized-footer").bytes();
    byte[] badFooter = stream.clone();
    badFooter[badFooter.length - 1536 + 512 + 4] ^= 0x07; // the footer's version
    hostile("hostile-vmdk-footer", "vmdk", write("hostile-vmdk-footer.vmdk", badFooter));
    // a qcow2 header at 0 of an ISO: two formats at once
    hostile("hostile-qcow2-in-iso", "iso", write("hostile-qcow2-in-iso.img", iso(Arrays.copyOf(v3, 512))));
    // an MBR with a boot flag that is neither 0x00 nor 0x80
    byte[] badMbr = partitioned(false);
    badMbr[446 + 16] = 0x12;
    badMbr[446 + 16 + 4] = (byte) 0x83;
    hostile("hostile-bad-mbr", "raw", write("hostile-bad-mbr.img", badMbr));
    // LUKS version 2 header (the rest is LUKS1's)
    byte[] luks2 = images.get("luks").bytes();
    luks2[6] = 0;
    luks2[7] = 2;
    hostile("hostile-luks2", "luks", write("hostile-luks2.img", luks2));
  }

  public Image image(String name) {
    Image i = images.get(name);
    if (i == null) {
      throw new IllegalArgumentException("corpus image: " + name + " (expected: one of " + images.keySet() + ")");
    }
    return i;
  }

  public List<Image> all() {
    return new ArrayList<>(images.values());
  }

  private void convert(String name, String diskFormat, String qemuFormat, String options) throws IOException {
    Path out = dir.resolve(name + ".img");
    if (!Files.exists(out)) {
      List<String> args = new ArrayList<>(List.of("convert", "-f", "raw", "-O", qemuFormat));
      if (options != null) {
        args.addAll(List.of("-o", options));
      }
      args.add(dir.resolve("source.raw").toString());
      args.add(out.toString());
      qemu(args.toArray(String[]::new));
    }
    put(name, diskFormat, out);
  }

  private void put(String name, String diskFormat, Path path) {
    JsonObject info = new JsonObject(qemu("info", "--output=json", path.toString()));
    images.put(name, new Image(name, diskFormat, path, info.getLong("virtual-size"), info.getString("format")));
  }

  /** Hostile images are never shown to qemu-img info: it would follow what they point at. */
  private void hostile(String name, String diskFormat, Path path) {
    images.put(name, new Image(name, diskFormat, path, -1, null));
  }

  /** The images of the CVE-2024-32498 class and the other refusals, by name. */
  public List<Image> hostileImages() {
    return images.values().stream().filter(i -> i.name().startsWith("hostile-")).toList();
  }

  /** The images qemu-img made or could read, every format in every subformat. */
  public List<Image> benign() {
    return images.values().stream().filter(i -> !i.name().startsWith("hostile-")).toList();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** A descriptor as qemu-img writes one, with our create type and extents. */
  static String descriptor(String createType, String extents) {
    return "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"" + createType + "\"\n\n"
        + "# Extent description\n" + extents + "\n\n# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\n"
        + "ddb.geometry.cylinders = \"8\"\nddb.adapterType = \"ide\"\n";
  }

  /** The sparse VMDK with its embedded descriptor (at 0x200, NUL-padded) replaced. */
  static byte[] withDescriptor(byte[] sparse, String text) {
    byte[] out = sparse.clone();
    long sectors = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getLong(36);
    byte[] d = text.getBytes(StandardCharsets.US_ASCII);
    assertThat((long) d.length).isLessThan(sectors * 512);
    Arrays.fill(out, 0x200, (int) (0x200 + sectors * 512), (byte) 0);
    System.arraycopy(d, 0, out, 0x200, d.length);
    return out;
  }

  /**
   * The stream-optimized VMDK as a streaming writer leaves it: the grain directory's offset only in
   * a footer (the header says "at the end"), then the end-of-stream marker.
   */
  static byte[] withFooter(byte[] stream) {
    byte[] out = Arrays.copyOf(stream, stream.length + 1536);
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    int footer = stream.length;
    b.putInt(footer + 12, 3); // footer marker: val 0, size 0, type 3
    System.arraycopy(stream, 0, out, footer + 512, 512); // footer header: the header with the real GD offset
    b.putLong(56, -1L); // header: GD at end
    return out;
  }

  /** A 1 MiB ISO 9660 image: a primary volume descriptor at 32 KiB and the terminator; {@code systemArea} at 0. */
  public static byte[] iso(byte[] systemArea) {
    byte[] iso = new byte[1 << 20];
    if (systemArea != null) {
      System.arraycopy(systemArea, 0, iso, 0, systemArea.length);
    }
    ByteBuffer b = ByteBuffer.wrap(iso).order(ByteOrder.LITTLE_ENDIAN);
    int pvd = 16 * 2048;
    iso[pvd] = 1;
    System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, pvd + 1, 5);
    iso[pvd + 6] = 1;
    b.putInt(pvd + 80, iso.length / 2048);
    b.order(ByteOrder.BIG_ENDIAN).putInt(pvd + 84, iso.length / 2048).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(pvd + 128, (short) 2048);
    int end = 17 * 2048;
    iso[end] = (byte) 255;
    System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, iso, end + 1, 5);
    iso[end + 6] = 1;
    return iso;
  }

  /** A 2 MiB disk with a protective MBR (GPT) or one Linux partition (MBR). */
  public static byte[] partitioned(boolean gpt) {
    byte[] disk = new byte[2 << 20];
    ByteBuffer b = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
    int e = 446;
    if (gpt) {
      disk[e + 1] = 0;
      disk[e + 2] = 2;
      disk[e + 3] = 0;
      disk[e + 4] = (byte) 0xEE;
      b.putInt(e + 8, 1);
      b.putInt(e + 12, disk.length / 512 - 1);
      System.arraycopy("EFI PART".getBytes(StandardCharsets.US_ASCII), 0, disk, 512, 8);
    } else {
      disk[e] = (byte) 0x80;
      disk[e + 4] = (byte) 0x83;
      b.putInt(e + 8, 2048);
      b.putInt(e + 12, disk.length / 512 - 2048);
    }
    b.putShort(510, (short) 0xAA55);
    return disk;
  }

  private static String qemu(String... args) {
    List<String> cmd = new ArrayList<>(List.of("qemu-img"));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("qemu-img failed: " + cmd + "\n" + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
