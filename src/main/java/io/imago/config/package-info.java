/**
 * The configuration: one immutable, typed record tree ({@link io.imago.config.ImagoConfig}), read
 * once at start by {@link io.imago.config.ConfigLoader} from defaults, a YAML file, {@code IMAGO_*}
 * environment variables and flags, validated, and passed to constructors (STYLE.md §3.9). Imports
 * nothing of ours but {@code domain}'s plain types ({@code QuotaResource}).
 *
 * <p>Each section is one record that carries its own options: a compact constructor that validates
 * (messages {@code "<dotted path>: <value> (expected: …)"}), and a
 * {@code static XConfig read(ConfigTree t)} (or {@code read(ConfigTree t, Path dataDir)} when it has
 * paths, which resolve against the data directory) that reads each option by its dotted path with
 * its default next to it:
 *
 * <pre>{@code
 * public record CacheConfig(Path dir, long maxSize) {
 *   public CacheConfig {
 *     requireNonNull(dir, "dir");
 *     if (maxSize <= 0) {
 *       throw new ConfigException("cache.image_cache_max_size: " + maxSize + " (expected: > 0)");
 *     }
 *   }
 *
 *   static CacheConfig read(ConfigTree t, Path dataDir) {
 *     return new CacheConfig(
 *         t.path("cache.image_cache_dir", "cache", dataDir),
 *         t.bytes("cache.image_cache_max_size", 10L << 30));
 *   }
 * }
 * }</pre>
 *
 * <p>To add a section: write its record as above; add it as a component of {@code ImagoConfig} and
 * its {@code read} call at the same place in {@code ImagoConfig.read} (the one list of sections);
 * document its options with their defaults and variables in {@code conf/imago.yaml}
 * ({@code ConfImagoYamlTest} fails until the file and the records agree). Nothing else:
 * {@code imago config}, unknown-option checks and environment variables follow from the reads.
 * Options are read in the order of {@code ImagoConfig.read} and, within a section, of its
 * {@code read}: that order is {@code imago config}'s output and {@link
 * io.imago.config.ConfigLoader#optionPaths()}, so read them in the order the file documents them.
 */
package io.imago.config;
