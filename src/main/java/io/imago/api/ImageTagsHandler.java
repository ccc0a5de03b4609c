package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageSchema;
import io.imago.domain.ImageTags;
import io.imago.domain.ImagoException;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.Targets;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;

/**
 * {@code PUT|DELETE /v2/images/{id}/tags/{tag}} → 204 (spec/images-api.md §4.11). Policy
 * {@code modify_image}; the tag is validated (string of at most 255 characters) before the image
 * is looked up, as Glance's deserializer does.
 */
public final class ImageTagsHandler {
  private final ImagesConfig config;
  private final Policy policy;
  private final ImageSchema schema;
  private final ImageLookups lookups;
  private final ImageUpdates updates;

  public ImageTagsHandler(ImagesConfig config, Policy policy, ImageSchema schema, ImageLookups lookups, ImageUpdates updates) {
    this.config = config;
    this.policy = policy;
    this.schema = schema;
    this.lookups = lookups;
    this.updates = updates;
  }

  /** {@code PUT}: adds the tag (idempotent); 413 beyond {@code image_tag_quota}. */
  public void update(RoutingContext rc) {
    String tag = tag(rc);
    schema.checkValue("tags", List.of(tag));
    Caller caller = Callers.writer(rc);
    int quota = config.imageTagQuota();
    updates.update(caller, rc.pathParam("image_id"), image -> {
          requireModify(caller, image, "Not allowed to update tags for image %s.");
          return ImageTags.add(image, tag, quota);
        })
        .onSuccess(image -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  /** {@code DELETE}: removes the tag; 404 when the image does not carry it. */
  public void delete(RoutingContext rc) {
    String tag = tag(rc);
    Caller caller = Callers.writer(rc);
    updates.update(caller, rc.pathParam("image_id"), image -> {
          requireModify(caller, image, "Not allowed to delete tags for image %s.");
          return Optional.of(ImageTags.remove(image, tag));
        })
        .onSuccess(image -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private void requireModify(Caller caller, Image image, String message) {
    if (!policy.allows(Action.MODIFY_IMAGE, caller, Targets.image(image, caller))) {
      throw ImagoException.forbidden(message, image.id());
    }
  }

  /**
   * The tag: the last path segment, percent-decoded as UTF-8 (ERRATA 15: Glance decodes it as
   * latin-1 and stores garbled text). Malformed escapes or bytes that are not UTF-8 are 400.
   */
  static String tag(RoutingContext rc) {
    String path = rc.normalizedPath();
    return decodeSegment(path.substring(path.lastIndexOf('/') + 1));
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  static String decodeSegment(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
        int lo = i + 2 < raw.length() ? hex(raw.charAt(i + 2)) : -1;
        if (hi < 0 || lo < 0) {
          throw ImagoException.badRequest("Malformed percent-encoding in the tag.");
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x100) {
        // The request line reaches us byte for byte (one char per byte).
        bytes.write(c);
      } else {
        throw ImagoException.badRequest("The tag is not valid UTF-8.");
      }
    }
    return QueryString.strictUtf8(bytes.toByteArray(), "The tag is not valid UTF-8.");
  }
}
