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
 * Read-modify-write of one image: load it (404 when the caller cannot see it), compute the new
 * image in memory, and write it only if its revision did not move. The first attempt takes no
 * lock (most writes meet no other writer). When it loses a race, the change is computed again
 * under the image's row lock ({@link ImageRepository#withLock}), so concurrent writers of one image
 * queue in PostgreSQL and each gets its 200 instead of retrying against the others (40 writers on
 * one image all succeed). A change therefore applies whole to the latest image or not at all, and
 * concurrent changes to different attributes all survive (spec §4.4 "all-or-nothing").
 */
public final class ImageUpdates {
  /**
   * Locked attempts after a lost optimistic one. Under the lock the revision cannot move, so one
   * is enough; the second covers a write that raced the lock's own read (a delete meanwhile gives 404).
   */
  static final int LOCKED_ATTEMPTS = 2;

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
    return lookups.visible(caller, id).compose(visible -> {
      Optional<ImagePatch.Result> result = change.apply(visible.image());
      if (result.isEmpty()) {
        return Future.succeededFuture(visible.image());
      }
      ImagePatch.Result r = result.get();
      return images.update(r.image(), r.dropped())
          .compose(written -> written.isPresent() ? Future.succeededFuture(written(r, written.get()))
              : locked(caller, id, change, LOCKED_ATTEMPTS));
    });
  }

  private Future<Image> locked(Caller caller, String id, Function<Image, Optional<ImagePatch.Result>> change,
      int attemptsLeft) {
    return images.withLock(id, caller.projectId(), row -> {
      Image current = lookups.check(caller, id, row.found()).image();
      Optional<ImagePatch.Result> result = change.apply(current);
      if (result.isEmpty()) {
        return Future.succeededFuture(Optional.of(current));
      }
      ImagePatch.Result r = result.get();
      return row.update(r.image(), r.dropped()).map(w -> w.map(image -> written(r, image)));
    }).compose(done -> {
      if (done.isPresent()) {
        return Future.succeededFuture(done.get());
      }
      if (attemptsLeft <= 1) {
        return Future.failedFuture(ImagoException.conflict(
            "Image %s is being modified concurrently; please try again.", id));
      }
      return locked(caller, id, change, attemptsLeft - 1);
    });
  }

  private Image written(ImagePatch.Result r, Image image) {
    if (!r.dropped().isEmpty()) {
      sweepNow.run();
    }
    return image;
  }
}
