package io.imago.fault;

/**
 * Named points in the code where a crash or a failure matters for durability, so that tests can
 * make the node die or fail exactly there — "between publishing a blob and activating its image" —
 * instead of hoping a {@code kill -9} lands at the right instant. Off unless a system property
 * names the point: {@code -Dimago.fault.halt_at=NAME} halts the JVM at once (no shutdown hooks,
 * like a power cut), {@code -Dimago.fault.fail_at=NAME} throws {@link InjectedFault}. Reading two
 * properties at each of a handful of points costs nothing measurable.
 */
public final class FaultPoints {
  /** After an upload's blob was published in its store, before the image references it. */
  public static final String UPLOAD_PUBLISHED = "upload.published";
  /** A cache fill has written every byte into {@code incomplete/}, before it is verified and published. */
  public static final String CACHE_FILL_WRITTEN = "cache.fill.written";

  private FaultPoints() {}

  /** Halts or throws if a test asked for it at {@code name}; otherwise does nothing. */
  public static void reach(String name) {
    if (name.equals(System.getProperty("imago.fault.halt_at"))) {
      Runtime.getRuntime().halt(86);
    }
    if (name.equals(System.getProperty("imago.fault.fail_at"))) {
      throw new InjectedFault(name);
    }
  }

  /** The failure a test injected. */
  public static final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String name) {
      super("fault injected at " + name);
    }
  }
}
