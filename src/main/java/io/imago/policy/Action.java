package io.imago.policy;

/** The policy rules Glance enforces, by their oslo.policy names (spec/security.md §1.2). */
public enum Action {
  ADD_IMAGE("add_image"),
  GET_IMAGE("get_image"),
  GET_IMAGES("get_images"),
  MODIFY_IMAGE("modify_image"),
  DELETE_IMAGE("delete_image"),
  PUBLICIZE_IMAGE("publicize_image"),
  COMMUNITIZE_IMAGE("communitize_image"),
  DOWNLOAD_IMAGE("download_image"),
  UPLOAD_IMAGE("upload_image"),
  GET_IMAGE_LOCATION("get_image_location"),
  SET_IMAGE_LOCATION("set_image_location"),
  DELETE_IMAGE_LOCATION("delete_image_location"),
  ADD_MEMBER("add_member"),
  DELETE_MEMBER("delete_member"),
  GET_MEMBER("get_member"),
  GET_MEMBERS("get_members"),
  MODIFY_MEMBER("modify_member"),
  DEACTIVATE("deactivate"),
  REACTIVATE("reactivate"),
  COPY_IMAGE("copy_image"),
  MANAGE_IMAGE_CACHE("manage_image_cache"),
  CACHE_IMAGE("cache_image"),
  CACHE_LIST("cache_list"),
  CACHE_DELETE("cache_delete"),
  CACHE_CLEAN("cache_clean"),
  CACHE_PRUNE("cache_prune"),
  LIST_CACHED_NODES("list_cached_nodes"),
  STORES_INFO_DETAIL("stores_info_detail"),
  TASKS_API_ACCESS("tasks_api_access");

  private final String ruleName;

  Action(String ruleName) {
    this.ruleName = ruleName;
  }

  /** The oslo.policy rule name, as written in a policy file. */
  public String ruleName() {
    return ruleName;
  }
}
