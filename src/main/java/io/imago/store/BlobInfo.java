package io.imago.store;

/** What a store knows of a blob. */
public record BlobInfo(String key, long size) {}
