package io.imago.api;

import io.imago.db.ImageRepository;
import io.imago.db.ImageRepository.Visible;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageAccess;
import io.imago.domain.ImagoException;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.Targets;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Loads the image a request is about, applying "hide what you cannot see" (spec §0.6): missing,
 * deleted, invisible, or {@code get_image} denied are all 404.
 */
public final class ImageLookups {
  private final ImageRepository images;
  private final Policy policy;

  public ImageLookups(ImageRepository images, Policy policy) {
    this.images = images;
    this.policy = policy;
  }

  public Future<Visible> visible(Caller caller, String id) {
    // Longer than a UUID: Glance's 404 (spec §0.5). A NUL cannot be in any stored id, and
    // PostgreSQL refuses it in a query parameter, so it must not reach the database.
    if (id == null || id.length() > 36 || id.indexOf('\0') >= 0) {
      return Future.failedFuture(ImagoException.imageNotFound(id));
    }
    return images.findFor(id, caller.projectId()).map(found -> check(caller, id, found));
  }

  /** {@code found} if the caller may see it, else Glance's 404 (thrown). */
  public Visible check(Caller caller, String id, Optional<Visible> found) {
    Visible v = found.orElseThrow(() -> ImagoException.imageNotFound(id));
    Image image = v.image();
    if (!ImageAccess.canSee(image, caller, v.membership())
        || !policy.allows(Action.GET_IMAGE, caller, Targets.image(image, caller))) {
      throw ImagoException.imageNotFound(id);
    }
    return v;
  }

  /** A visible image on which {@code action} is allowed, else 403. */
  public Future<Image> forAction(Caller caller, String id, Action action, String deniedMessage) {
    return visible(caller, id).map(v -> {
      require(caller, v.image(), action, deniedMessage);
      return v.image();
    });
  }

  public void require(Caller caller, Image image, Action action, String deniedMessage) {
    if (!policy.allows(action, caller, Targets.image(image, caller))) {
      throw ImagoException.forbidden(deniedMessage);
    }
  }
}
