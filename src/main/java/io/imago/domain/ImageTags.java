package io.imago.domain;

import java.util.List;
import java.util.Optional;

/** {@code PUT|DELETE /v2/images/{id}/tags/{tag}} on one image (spec/images-api.md §4.11). */
public final class ImageTags {
  private ImageTags() {}

  /**
   * The image with {@code tag} added, or empty when it already carries it (PUT is idempotent).
   * 413 beyond {@code image_tag_quota} (-1 = unlimited), 400 for what the database refuses.
   */
  public static Optional<ImagePatch.Result> add(Image image, String tag, int tagQuota) {
    if (image.tags().contains(tag)) {
      return Optional.empty();
    }
    Image.Builder b = image.toBuilder();
    b.tags.add(tag);
    if (tagQuota >= 0 && b.tags.size() > tagQuota) {
      throw ImagoException.tooLarge("Maximum number of tags exceeded: attempted %d, maximum %d", b.tags.size(),
          tagQuota);
    }
    Image out = b.build();
    ImageSchema.checkStorable(out);
    return Optional.of(new ImagePatch.Result(out, List.of()));
  }

  /** The image without {@code tag}; 404 when it does not carry it. */
  public static ImagePatch.Result remove(Image image, String tag) {
    if (!image.tags().contains(tag)) {
      throw ImagoException.notFound("Tag %s not found on image %s.", tag, image.id());
    }
    Image.Builder b = image.toBuilder();
    b.tags.remove(tag);
    return new ImagePatch.Result(b.build(), List.of());
  }
}
