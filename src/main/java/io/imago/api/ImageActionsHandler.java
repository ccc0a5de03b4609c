package io.imago.api;

import io.imago.db.ImageRepository;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.imago.domain.ImagoException;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v2/images/{id}/actions/deactivate|reactivate} (spec/images-api.md §4.10): 204;
 * already in the target status is a no-op; from any other status a 403 (Glance raises Forbidden
 * there, not a conflict). While deactivated, non-admins may not download the data
 * ({@link ImageDataHandler}) nor see its locations ({@link ImageView}).
 */
public final class ImageActionsHandler {
  /** Rounds of "read, then conditional write" before giving up on an image that keeps changing. */
  private static final int ATTEMPTS = 5;

  private final ImageRepository images;
  private final Policy policy;
  private final ImageLookups lookups;

  public ImageActionsHandler(ImageRepository images, Policy policy, ImageLookups lookups) {
    this.images = images;
    this.policy = policy;
    this.lookups = lookups;
  }

  public void deactivate(RoutingContext rc) {
    change(rc, Action.DEACTIVATE, "deactivate", ImageStatus.ACTIVE, ImageStatus.DEACTIVATED);
  }

  public void reactivate(RoutingContext rc) {
    change(rc, Action.REACTIVATE, "reactivate", ImageStatus.DEACTIVATED, ImageStatus.ACTIVE);
  }

  private void change(RoutingContext rc, Action action, String verb, ImageStatus from, ImageStatus to) {
    Caller caller = Callers.writer(rc);
    String id = rc.pathParam("image_id");
    attempt(caller, id, action, verb, from, to, ATTEMPTS)
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  /**
   * Reads the image, checks visibility and policy, and writes {@code from → to} conditionally; if
   * the status moved in between (a concurrent deactivate, delete…), reads again and re-decides.
   */
  private Future<Void> attempt(Caller caller, String id, Action action, String verb, ImageStatus from,
      ImageStatus to, int attemptsLeft) {
    return lookups.forAction(caller, id, action, "You are not authorized to complete " + action.ruleName()
            + " action.")
        .compose(image -> {
          if (image.status() == to) {
            return Future.succeededFuture();
          }
          if (image.status() != from) {
            return Future.failedFuture(notAllowed(verb, image));
          }
          return images.changeStatus(id, from, to).compose(changed -> {
            if (changed.isPresent()) {
              return Future.<Void>succeededFuture();
            }
            if (attemptsLeft <= 1) {
              return Future.failedFuture(ImagoException.conflict(
                  "Image %s changed while trying to %s it; try again.", id, verb));
            }
            return attempt(caller, id, action, verb, from, to, attemptsLeft - 1);
          });
        });
  }

  private static ImagoException notAllowed(String verb, Image image) {
    return ImagoException.forbidden("Not allowed to %s image in status '%s'", verb, image.status().wire());
  }
}
