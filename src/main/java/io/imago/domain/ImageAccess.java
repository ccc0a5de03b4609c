package io.imago.domain;

/**
 * Who may see an image at all (spec/images-api.md §5). A caller who cannot see an image gets 404
 * for every operation on it, never 403 (§0.6).
 */
public final class ImageAccess {
  private ImageAccess() {}

  /**
   * @param callerMembership the caller's project's membership of this image, or null if none
   */
  public static boolean canSee(Image image, Caller caller, MemberStatus callerMembership) {
    if (caller.admin() || image.owner() == null || caller.owns(image.owner())) {
      return true;
    }
    return switch (image.visibility()) {
      case PUBLIC, COMMUNITY -> true;
      case SHARED -> callerMembership != null;
      case PRIVATE -> false;
    };
  }
}
