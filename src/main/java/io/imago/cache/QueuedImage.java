package io.imago.cache;

/**
 * An image of the prefetch queue: Glance shows only the ids; Imago adds what the prefetcher is
 * doing with it (an extension of {@code GET /v2/cache}).
 *
 * @param state {@code queued} (waiting), {@code fetching}, or {@code retrying} (the last attempt failed)
 * @param lastError why the last attempt failed, or null
 * @param attempts attempts so far
 */
public record QueuedImage(String imageId, String state, String lastError, int attempts) {}
