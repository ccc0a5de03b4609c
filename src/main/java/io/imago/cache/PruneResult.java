package io.imago.cache;

/** What a pruner pass removed ({@code POST /v2/cache/prune}'s body). */
public record PruneResult(int files, long bytes) {}
