package io.imago.policy;

import io.imago.domain.Caller;
import io.imago.domain.Image;
import java.util.HashMap;
import java.util.Map;

/** The policy targets Glance builds (spec/security.md §1.1 "Targets"). */
public final class Targets {
  private Targets() {}

  /**
   * An existing image: its attributes and custom properties, {@code project_id} = owner, and
   * {@code member_id} = the caller's project when the image is shared and the caller is not its
   * owner.
   */
  public static Map<String, String> image(Image image, Caller caller) {
    Map<String, String> t = new HashMap<>(image.properties());
    put(t, "id", image.id());
    put(t, "name", image.name());
    put(t, "status", image.status().wire());
    put(t, "visibility", image.visibility().wire());
    put(t, "protected", image.isProtected() ? "True" : "False");
    put(t, "os_hidden", image.osHidden() ? "True" : "False");
    put(t, "owner", image.owner());
    put(t, "project_id", image.owner());
    put(t, "container_format", image.containerFormat());
    put(t, "disk_format", image.diskFormat());
    put(t, "checksum", image.checksum());
    if (image.visibility() == io.imago.domain.Visibility.SHARED && !caller.owns(image.owner())) {
      put(t, "member_id", caller.projectId());
    }
    return t;
  }

  /** A new image: requested owner (or the caller's project) and requested visibility. */
  public static Map<String, String> newImage(String owner, String visibility) {
    Map<String, String> t = new HashMap<>();
    put(t, "project_id", owner);
    put(t, "owner", owner);
    put(t, "visibility", visibility == null ? "private" : visibility);
    return t;
  }

  /** Calls that are not about one image (cache, tasks, discovery). */
  public static Map<String, String> project(Caller caller) {
    Map<String, String> t = new HashMap<>();
    put(t, "project_id", caller.projectId());
    return t;
  }

  /**
   * A metadefs namespace, as Glance's {@code MetadefAPIPolicy} builds it: {@code project_id} =
   * its owner, and its visibility.
   */
  public static Map<String, String> namespace(io.imago.domain.metadef.Namespace ns) {
    Map<String, String> t = new HashMap<>();
    put(t, "project_id", ns.owner());
    put(t, "visibility", ns.visibility());
    return t;
  }

  private static void put(Map<String, String> t, String k, String v) {
    if (v != null) {
      t.put(k, v);
    }
  }
}
