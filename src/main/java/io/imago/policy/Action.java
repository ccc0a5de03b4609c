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
  TASKS_API_ACCESS("tasks_api_access"),
  GET_METADEF_NAMESPACE("get_metadef_namespace"),
  GET_METADEF_NAMESPACES("get_metadef_namespaces"),
  MODIFY_METADEF_NAMESPACE("modify_metadef_namespace"),
  ADD_METADEF_NAMESPACE("add_metadef_namespace"),
  DELETE_METADEF_NAMESPACE("delete_metadef_namespace"),
  GET_METADEF_OBJECT("get_metadef_object"),
  GET_METADEF_OBJECTS("get_metadef_objects"),
  MODIFY_METADEF_OBJECT("modify_metadef_object"),
  ADD_METADEF_OBJECT("add_metadef_object"),
  DELETE_METADEF_OBJECT("delete_metadef_object"),
  LIST_METADEF_RESOURCE_TYPES("list_metadef_resource_types"),
  GET_METADEF_RESOURCE_TYPE("get_metadef_resource_type"),
  ADD_METADEF_RESOURCE_TYPE_ASSOCIATION("add_metadef_resource_type_association"),
  REMOVE_METADEF_RESOURCE_TYPE_ASSOCIATION("remove_metadef_resource_type_association"),
  GET_METADEF_PROPERTY("get_metadef_property"),
  GET_METADEF_PROPERTIES("get_metadef_properties"),
  MODIFY_METADEF_PROPERTY("modify_metadef_property"),
  ADD_METADEF_PROPERTY("add_metadef_property"),
  REMOVE_METADEF_PROPERTY("remove_metadef_property"),
  GET_METADEF_TAG("get_metadef_tag"),
  GET_METADEF_TAGS("get_metadef_tags"),
  MODIFY_METADEF_TAG("modify_metadef_tag"),
  ADD_METADEF_TAG("add_metadef_tag"),
  ADD_METADEF_TAGS("add_metadef_tags"),
  DELETE_METADEF_TAG("delete_metadef_tag"),
  DELETE_METADEF_TAGS("delete_metadef_tags");

  private final String ruleName;

  Action(String ruleName) {
    this.ruleName = ruleName;
  }

  /** The oslo.policy rule name, as written in a policy file. */
  public String ruleName() {
    return ruleName;
  }
}
