package io.imago.data;

import io.imago.db.ImageRepository.UploadResult;
import io.imago.db.ImageRepository;
import io.imago.domain.Image;
import io.imago.domain.ImageStatus;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * How an upload moves its image through the status machine (spec/images-api.md §3): which status
 * the image has while bytes arrive, and the conditional writes that enter it, publish the result,
 * and put the image back after a failure. {@code PUT /file} is {@link #file}; {@code PUT /stage}
 * and import tasks bring their own flows to the same {@link Uploads} use case.
 */
public interface UploadFlow {
  /** The status of the image while its bytes arrive. */
  ImageStatus receiving();

  /** Enters {@link #receiving()} if the image is still where it was; empty if somebody got there first. */
  Future<Optional<Image>> begin(String imageId, String nodeId);

  /** Publishes what the upload established; empty if the image is no longer receiving (deleted meanwhile). */
  Future<Optional<Image>> complete(String imageId, UploadResult result);

  /** Puts the image back after a failed upload; empty if it is no longer receiving. */
  Future<Optional<Image>> revert(String imageId);

  /** {@code PUT /file}: queued → saving → active, or back to queued (size reset) on failure. */
  static UploadFlow file(ImageRepository images) {
    return new UploadFlow() {
      @Override
      public ImageStatus receiving() {
        return ImageStatus.SAVING;
      }

      @Override
      public Future<Optional<Image>> begin(String imageId, String nodeId) {
        return images.startUpload(imageId, nodeId);
      }

      @Override
      public Future<Optional<Image>> complete(String imageId, UploadResult result) {
        return images.finishUpload(imageId, result);
      }

      @Override
      public Future<Optional<Image>> revert(String imageId) {
        return images.abortUpload(imageId);
      }
    };
  }
}
