package io.imago.api;

import io.imago.config.ImagesConfig;
import io.imago.db.MemberRepository;
import io.imago.domain.Caller;
import io.imago.domain.Image;
import io.imago.domain.ImageAccess;
import io.imago.domain.ImagoException;
import io.imago.domain.Member;
import io.imago.domain.MemberStatus;
import io.imago.domain.Visibility;
import io.imago.policy.Action;
import io.imago.policy.Policy;
import io.imago.policy.Targets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Image sharing: {@code /v2/images/{id}/members[/{member_id}]} (spec/images-api.md §4.12).
 *
 * <p>Every operation first loads the image with "hide what you cannot see" (404), then requires a
 * {@code shared} image (403 "Only shared images have members"; the member rows of an image made
 * private are kept and come back when it is shared again), then asks the member policies in
 * Glance's order. Who may see which membership is {@link ImageAccess#canSeeMember}; a membership
 * the caller may not see is "not found".
 *
 * <p>Order of the checks for a change of status, as Glance's secure-RBAC mode has it: image,
 * shared, {@code get_member}, the membership (404), {@code modify_member} (403: the owner may not
 * accept on a member's behalf), then the status value (400). With the legacy defaults Glance
 * refuses the owner before looking the membership up; here the owner gets the 404 for an unknown
 * member first, and the same 403 for a known one.
 */
public final class MembersHandler {
  /** Glance's {@code image_members.member} column is 255 characters (ERRATA 7: longer is a 400). */
  static final int MAX_MEMBER_ID = 255;

  private final ImagesConfig config;
  private final MemberRepository members;
  private final Policy policy;
  private final ImageLookups lookups;

  public MembersHandler(ImagesConfig config, MemberRepository members, Policy policy, ImageLookups lookups) {
    this.config = config;
    this.members = members;
    this.policy = policy;
    this.lookups = lookups;
  }

  /** {@code GET …/members} → 200 {@code {"members": [...], "schema": "/v2/schemas/members"}}. */
  public void index(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    sharedImage(caller, rc.pathParam("image_id"), false)
        .compose(image -> {
          require(caller, image, Action.GET_MEMBERS, "Not allowed to list members for image %s.");
          return members.list(image.id()).map(all -> {
            boolean mayRead = allows(caller, image, Action.GET_MEMBER);
            JsonArray out = new JsonArray();
            for (Member m : all) {
              if (mayRead && ImageAccess.canSeeMember(image, caller, m.memberId())) {
                out.add(render(m));
              }
            }
            return new JsonObject().put("members", out).put("schema", "/v2/schemas/members");
          });
        })
        .onSuccess(body -> JsonBodies.send(rc, 200, body))
        .onFailure(rc::fail);
  }

  /** {@code GET …/members/{member_id}} → 200; every refusal is a 404 here, as in Glance. */
  public void show(RoutingContext rc) {
    Caller caller = Callers.get(rc);
    String memberId = rc.pathParam("member_id");
    sharedImage(caller, rc.pathParam("image_id"), true)
        .compose(image -> {
          if (!allows(caller, image, Action.GET_MEMBER)) {
            return Future.failedFuture(memberNotFound(image, memberId));
          }
          return visibleMember(caller, image, memberId);
        })
        .onSuccess(m -> JsonBodies.send(rc, 200, render(m)))
        .onFailure(rc::fail);
  }

  /**
   * {@code POST …/members} {@code {"member": "<project>"}} → 200 (not 201, quirk Q11) with a
   * pending membership. Re-adding a deleted member reuses its row: pending again, original
   * {@code created_at}.
   */
  public void create(RoutingContext rc) {
    String memberId = newMemberId(JsonBodies.parse(rc));
    Caller caller = Callers.writer(rc);
    String imageId = rc.pathParam("image_id");
    sharedImage(caller, imageId, false)
        .compose(image -> {
          require(caller, image, Action.ADD_MEMBER, "Not allowed to create members for image %s.");
          int quota = config.imageMemberQuota();
          Future<Void> underQuota = quota < 0 ? Future.succeededFuture()
              : members.count(image.id()).compose(n -> n + 1 > quota
                  ? Future.failedFuture(ImagoException.tooLarge(
                      "Image member limit exceeded for image %s: attempted: %d, maximum: %d", image.id(), n + 1, quota))
                  : Future.succeededFuture());
          return underQuota.compose(v -> members.add(image.id(), memberId));
        })
        .compose(added -> added.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
            ImagoException.conflict("Member %s is duplicated for image %s", memberId, imageId))))
        .onSuccess(m -> JsonBodies.send(rc, 200, render(m)))
        .onFailure(rc::fail);
  }

  /** {@code PUT …/members/{member_id}} {@code {"status": "accepted|rejected|pending"}} → 200. */
  public void update(RoutingContext rc) {
    Object status = newStatus(JsonBodies.parse(rc));
    Caller caller = Callers.writer(rc);
    String memberId = rc.pathParam("member_id");
    sharedImage(caller, rc.pathParam("image_id"), false)
        .compose(image -> lookupMember(caller, image, memberId).compose(m -> {
          require(caller, image, Action.MODIFY_MEMBER, "Not allowed to update members for image %s.");
          MemberStatus target = status instanceof String str ? MemberStatus.parse(str).orElse(null) : null;
          if (target == null) {
            return Future.failedFuture(ImagoException.badRequest(
                "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\"."));
          }
          return members.setStatus(image.id(), memberId, target);
        }).compose(updated -> updated.map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(memberNotFound(image, memberId)))))
        .onSuccess(m -> JsonBodies.send(rc, 200, render(m)))
        .onFailure(rc::fail);
  }

  /** {@code DELETE …/members/{member_id}} → 204; only the owner (or an admin) may remove. */
  public void delete(RoutingContext rc) {
    Caller caller = Callers.writer(rc);
    String memberId = rc.pathParam("member_id");
    sharedImage(caller, rc.pathParam("image_id"), false)
        .compose(image -> lookupMember(caller, image, memberId).compose(m -> {
          require(caller, image, Action.DELETE_MEMBER, "Not allowed to delete members for image %s.");
          return members.delete(image.id(), memberId);
        }).compose(deleted -> deleted ? Future.<Void>succeededFuture()
            : Future.failedFuture(memberNotFound(image, memberId))))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The visible image, which must be shared: 403 otherwise — or 404 for {@code show}, where Glance
   * turns every refusal into "not found".
   */
  private Future<Image> sharedImage(Caller caller, String imageId, boolean hide) {
    return lookups.visible(caller, imageId).map(v -> {
      if (v.image().visibility() != Visibility.SHARED) {
        throw hide ? ImagoException.notFound("Only shared images have members.")
            : ImagoException.forbidden("Only shared images have members.");
      }
      return v.image();
    });
  }

  /** For a change: {@code get_member} (403), then the membership the caller may see (404). */
  private Future<Member> lookupMember(Caller caller, Image image, String memberId) {
    if (!allows(caller, image, Action.GET_MEMBER)) {
      return Future.failedFuture(ImagoException.forbidden(
          "You are not authorized to lookup the members of the image %s.", image.id()));
    }
    return visibleMember(caller, image, memberId);
  }

  private Future<Member> visibleMember(Caller caller, Image image, String memberId) {
    if (!storable(memberId) || !ImageAccess.canSeeMember(image, caller, memberId)) {
      return Future.failedFuture(memberNotFound(image, memberId));
    }
    return members.find(image.id(), memberId)
        .map(found -> found.orElseThrow(() -> memberNotFound(image, memberId)));
  }

  private boolean allows(Caller caller, Image image, Action action) {
    return policy.allows(action, caller, Targets.image(image, caller));
  }

  private void require(Caller caller, Image image, Action action, String deniedFormat) {
    if (!allows(caller, image, action)) {
      throw ImagoException.forbidden(deniedFormat, image.id());
    }
  }

  private static ImagoException memberNotFound(Image image, String memberId) {
    return ImagoException.notFound("%s not found in the member list of the image %s.", memberId, image.id());
  }

  /**
   * The {@code member} of a create body, validated before anything else as Glance's deserializer
   * does: not an object, missing, or empty → 400. We also refuse what Glance stores but should
   * not (ERRATA 7): a non-string, or more than 255 characters; and a NUL character, which
   * PostgreSQL cannot store.
   */
  static String newMemberId(Object body) {
    if (!(body instanceof JsonObject o)) {
      throw ImagoException.badRequest("Expected a member in the form: {\"member\": \"image_id\"}");
    }
    if (!o.containsKey("member")) {
      throw ImagoException.badRequest("Member to be added not specified");
    }
    Object member = o.getValue("member");
    if (isEmpty(member)) {
      throw ImagoException.badRequest("Member can't be empty");
    }
    if (!(member instanceof String id)) {
      throw ImagoException.badRequest("Member must be a string, not %s", typeName(member));
    }
    if (id.length() > MAX_MEMBER_ID) {
      throw ImagoException.badRequest("Member is too long (%d characters, at most %d)", id.length(), MAX_MEMBER_ID);
    }
    if (!storable(id)) {
      throw ImagoException.badRequest("Member contains a NUL character");
    }
    return id;
  }

  /** The {@code status} of an update body; its value is checked after the membership lookup. */
  static Object newStatus(Object body) {
    if (!(body instanceof JsonObject o)) {
      throw ImagoException.badRequest("Expected a status in the form: {\"status\": \"status\"}");
    }
    if (!o.containsKey("status")) {
      throw ImagoException.badRequest("Status not specified");
    }
    return o.getValue("status");
  }

  /** Python's falsiness, which Glance's {@code if not member_id} applies. */
  private static boolean isEmpty(Object v) {
    return v == null || Boolean.FALSE.equals(v) || v instanceof String str && str.isEmpty()
        || v instanceof Number n && n.doubleValue() == 0 || v instanceof JsonObject jo && jo.isEmpty()
        || v instanceof JsonArray ja && ja.isEmpty();
  }

  private static boolean storable(String id) {
    return id.indexOf('\0') < 0;
  }

  static JsonObject render(Member m) {
    return new JsonObject()
        .put("member_id", m.memberId())
        .put("image_id", m.imageId())
        .put("status", m.status().wire())
        .put("created_at", ImageView.timestamp(m.createdAt()))
        .put("updated_at", ImageView.timestamp(m.updatedAt()))
        .put("schema", "/v2/schemas/member");
  }

  private static String typeName(Object v) {
    return v instanceof Number ? "a number" : v instanceof Boolean ? "a boolean" : v instanceof JsonObject ? "an object"
        : "an array";
  }
}
