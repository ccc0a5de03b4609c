package io.imago.bench;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a scenario runs against: an Image API endpoint, or a static file server (nginx) that serves
 * the same bytes as a reference for the download scenarios.
 */
public abstract sealed class Target permits Target.Glance, Target.Static {
  final String label;

  Target(String label) {
    this.label = label;
  }

  /** One downloadable image: where it is, what it must hash to. */
  public record Image(String id, String url, long size, String md5, String sha512) {}

  abstract String endpoint();

  /** Puts {@code count} images of {@code data} where GETs can reach them. */
  abstract List<Image> prepare(String prefix, int count, Data data) throws IOException;

  /** The client that reaches this target. */
  abstract java.net.http.HttpClient client();

  /** Adds auth to a download request. */
  abstract HttpRequest.Builder get(String url);

  /** Removes what {@link #prepare} made. */
  abstract void cleanup(List<Image> images);

  /** An Image API v2 endpoint (Imago, Glance). */
  public static final class Glance extends Target {
    final Api api;

    public Glance(String label, Api api) {
      super(label);
      this.api = api;
    }

    @Override
    String endpoint() {
      return api.base;
    }

    @Override
    List<Image> prepare(String prefix, int count, Data data) {
      List<Image> out = new ArrayList<>();
      String[] want = data.digests();
      for (Map<String, Object> img : api.seedImages(prefix, count, data)) {
        String id = (String) img.get("id");
        String md5 = (String) img.get("checksum");
        String sha = (String) img.get("os_hash_value");
        if (!"active".equals(img.get("status")) || !want[0].equals(md5)) {
          throw new IllegalStateException("seed image " + id + " is " + img.get("status") + " with checksum " + md5
              + ", expected active with " + want[0]);
        }
        out.add(new Image(id, api.base + "/v2/images/" + id + "/file", data.size(), md5, sha));
      }
      return out;
    }

    @Override
    java.net.http.HttpClient client() {
      return api.client();
    }

    @Override
    HttpRequest.Builder get(String url) {
      return api.request(url.substring(api.base.length())).GET();
    }

    @Override
    void cleanup(List<Image> images) {
      api.deleteAll(images.stream().map(Image::id).toList());
    }
  }

  /** Files under a directory that a static server (nginx) serves at {@code base}. */
  public static final class Static extends Target {
    final String base;
    final Path root;
    private final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    public Static(String label, String base, Path root) {
      super(label);
      this.base = base;
      this.root = root;
    }

    @Override
    java.net.http.HttpClient client() {
      return client;
    }

    @Override
    String endpoint() {
      return base;
    }

    @Override
    List<Image> prepare(String prefix, int count, Data data) throws IOException {
      String[] want = data.digests();
      List<Image> out = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        String name = prefix + "-" + k + "-" + UUID.randomUUID() + ".raw";
        data.writeTo(root.resolve(name));
        out.add(new Image(name, base + "/" + name, data.size(), want[0], want[1]));
      }
      return out;
    }

    @Override
    HttpRequest.Builder get(String url) {
      return HttpRequest.newBuilder(java.net.URI.create(url)).GET();
    }

    @Override
    void cleanup(List<Image> images) {
      for (Image i : images) {
        try {
          Files.deleteIfExists(root.resolve(i.id()));
        } catch (IOException e) {
          // a leftover file in a temporary directory is harmless
        }
      }
    }
  }
}
