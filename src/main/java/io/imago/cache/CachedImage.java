package io.imago.cache;

/**
 * A cached image as the cache API shows it (spec/cache.md §4): times are epoch seconds with a
 * fraction, as Glance's sqlite and centralized_db drivers report them.
 */
public record CachedImage(String imageId, long hits, double lastAccessed, double lastModified, long size) {}
