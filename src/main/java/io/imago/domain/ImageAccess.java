package io.imago.domain;

import java.util.Objects;

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

  /**
   * Which memberships of a shared image a caller may see (spec/images-api.md §4.12): admins and
   * the owner's project see every member, a member project only its own membership. Glance
   * applies this in its database query, so an invisible membership is simply "not found".
   */
  public static boolean canSeeMember(Image image, Caller caller, String memberId) {
    return caller.admin() || Objects.equals(image.owner(), caller.projectId())
        || memberId.equals(caller.projectId());
  }
}
