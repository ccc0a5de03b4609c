package io.imago.data;

/**
 * What an upload delivered, after the writer committed: the bytes are durable under the key.
 *
 * @param checksum MD5 as lowercase hex (Glance's {@code checksum})
 * @param hashValue the {@code os_hash_algo} digest as lowercase hex
 */
public record Received(long size, String checksum, String hashAlgo, String hashValue) {}
