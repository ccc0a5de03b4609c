package io.imago.api;

import io.imago.db.ImageRepository;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImagePatch;
import io.imago.domain.ImagoException;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;

/**
 * Read-modify-write of one image without locks: load it (404 when the caller cannot see it),
 * compute the new image in memory, and write it only if its revision did not move; when it did,
 * load and compute again. A change therefore applies whole to the latest image or not at all, and
 * concurrent changes to different attributes all survive (spec §4.4 "all-or-nothing").
 */
public final class ImageUpdates {
  /** Attempts before giving up with 409 under sustained contention on one image. */
  static final int MAX_ATTEMPTS = 10;

  private final ImageRepository images;
  private final Runnable sweepNow;
  private final ImageLookups lookups;

  public ImageUpdates(ImageRepository images, ImageLookups lookups, Runnable sweepNow) {
    this.images = images;
    this.lookups = lookups;
    this.sweepNow = sweepNow;
  }

  /**
   * @param change from the current image to the one to write, or empty when there is nothing to
   *     write (then the current image is the result); may throw an {@link ImagoException}
   * @return the image as written (or as read, when nothing changed)
   */
  public Future<Image> update(Caller caller, String id, Function<Image, Optional<ImagePatch.Result>> change) {
    return attempt(caller, id, change, MAX_ATTEMPTS);
  }

  private Future<Image> attempt(Caller caller, String id, Function<Image, Optional<ImagePatch.Result>> change,
      int attemptsLeft) {
    return lookups.visible(caller, id).compose(visible -> {
      Optional<ImagePatch.Result> result = change.apply(visible.image());
      if (result.isEmpty()) {
        return Future.succeededFuture(visible.image());
      }
      ImagePatch.Result r = result.get();
      return images.update(r.image(), r.dropped()).compose(written -> {
        if (written.isPresent()) {
          if (!r.dropped().isEmpty()) {
            sweepNow.run();
          }
          return Future.succeededFuture(written.get());
        }
        if (attemptsLeft <= 1) {
          return Future.failedFuture(ImagoException.conflict(
              "Image %s is being modified concurrently; please try again.", id));
        }
        return attempt(caller, id, change, attemptsLeft - 1);
      });
    });
  }
}
