package io.imago.data;

import io.imago.store.BlobLocation;

/**
 * What an upload delivered, after the writer committed: the bytes are durable at {@code location}.
 *
 * @param checksum MD5 as lowercase hex (Glance's {@code checksum})
 * @param hashValue the {@code os_hash_algo} digest as lowercase hex
 * @param taps what every tap of the pass found, the extra ones included
 */
public record Received(long size, String checksum, String hashAlgo, String hashValue, BlobLocation location,
    TapResults taps) {}
