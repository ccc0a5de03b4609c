package io.imago.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A project an image is shared with (spec/images-api.md §4.12). */
public record Member(String imageId, String memberId, MemberStatus status, Instant createdAt, Instant updatedAt) {
  public Member {
    requireNonNull(imageId, "imageId");
    requireNonNull(memberId, "memberId");
    requireNonNull(status, "status");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(updatedAt, "updatedAt");
  }
}
