package io.imago.store;

/** What a store can do (after glance_store's capabilities). */
public enum StoreCapability {
  /** Reads of a byte range without reading from the start. */
  READ_RANGE,
  /** New blobs can be written. */
  WRITE,
  /** Blobs are local files, so downloads can use kernel sendfile. */
  LOCAL_FILE
}
