package io.imago.store;

import io.imago.config.StoreConfig;
import java.io.IOException;

/**
 * Builds the stores of one type ({@code file}; {@code s3} next) from their configuration: what the
 * registry is given for each type it may meet in {@code store.enabled_backends}.
 */
@FunctionalInterface
public interface StoreType {
  /** Opens the store (blocking: it may create directories or check a bucket); call at start. */
  BlobStore open(StoreConfig.Backend backend) throws IOException;
}
