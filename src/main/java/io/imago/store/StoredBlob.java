package io.imago.store;

import java.time.Instant;

/** One blob as a store lists it: its key, size and when it was last written (the reconciler's grace period). */
public record StoredBlob(String key, long size, Instant modified) {}
