package io.imago.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The behaviour of the images API, with Glance's option names and defaults.
 *
 * @param imageSizeCap {@code image_size_cap}: largest image accepted, in bytes
 * @param hashingAlgorithm {@code hashing_algorithm}: the {@code os_hash_algo} of new uploads
 * @param diskFormats {@code [image_format] disk_formats}
 * @param containerFormats {@code [image_format] container_formats}
 * @param limitParamDefault {@code limit_param_default}: page size of a list without {@code limit}
 * @param apiLimitMax {@code api_limit_max}: largest page size
 * @param imagePropertyQuota {@code image_property_quota}: custom properties per image, -1 = unlimited
 * @param imageTagQuota {@code image_tag_quota}: tags per image, -1 = unlimited
 * @param imageMemberQuota {@code image_member_quota}: members per image, -1 = unlimited
 * @param imageLocationQuota {@code image_location_quota}: locations per image, -1 = unlimited
 * @param showImageDirectUrl {@code show_image_direct_url}
 * @param showMultipleLocations {@code show_multiple_locations}
 * @param enabledImportMethods {@code enabled_import_methods}
 * @param requireImageFormatMatch {@code [image_format] require_image_format_match}: refuse data whose
 *     format differs from its {@code disk_format} (spec/security.md §4.2)
 * @param gptSafetyChecksNonfatal {@code [image_format] gpt_safety_checks_nonfatal}: safety checks
 *     ({@code mbr}) whose failure a gpt image survives
 * @param vmdkAllowedTypes {@code [image_format] vmdk_allowed_types}: VMDK create types accepted,
 *     a subset of the single-file ones ({@code streamOptimized}, {@code monolithicSparse})
 */
public record ImagesConfig(
    long imageSizeCap,
    String hashingAlgorithm,
    List<String> diskFormats,
    List<String> containerFormats,
    int limitParamDefault,
    int apiLimitMax,
    int imagePropertyQuota,
    int imageTagQuota,
    int imageMemberQuota,
    int imageLocationQuota,
    boolean showImageDirectUrl,
    boolean showMultipleLocations,
    List<String> enabledImportMethods,
    boolean requireImageFormatMatch,
    List<String> gptSafetyChecksNonfatal,
    List<String> vmdkAllowedTypes) {

  /** The GPT/MBR safety checks there are. */
  public static final List<String> GPT_SAFETY_CHECKS = List.of("mbr");
  /** The VMDK create types that keep all their data in the one file, the only ones Imago accepts. */
  public static final List<String> SINGLE_FILE_VMDK_TYPES = List.of("streamOptimized", "monolithicSparse");

  /** Glance's {@code hashing_algorithm} values (hashlib names) and their JDK digest names. */
  public static final Map<String, String> HASH_ALGORITHMS = Map.of(
      "md5", "MD5",
      "sha1", "SHA-1",
      "sha224", "SHA-224",
      "sha256", "SHA-256",
      "sha384", "SHA-384",
      "sha512", "SHA-512",
      "sha3_256", "SHA3-256",
      "sha3_512", "SHA3-512");

  public static final List<String> DEFAULT_DISK_FORMATS =
      List.of("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop");
  public static final List<String> DEFAULT_CONTAINER_FORMATS =
      List.of("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed");
  public static final long MAX_IMAGE_SIZE_CAP = 9223372036854775807L; // 8 EiB - 1, Glance's ceiling

  public ImagesConfig {
    hashingAlgorithm = requireNonNull(hashingAlgorithm, "hashingAlgorithm").toLowerCase(Locale.ROOT);
    if (!HASH_ALGORITHMS.containsKey(hashingAlgorithm)) {
      throw new ConfigException("images.hashing_algorithm: " + hashingAlgorithm
          + " (expected: one of " + String.join(", ", HASH_ALGORITHMS.keySet().stream().sorted().toList()) + ")");
    }
    diskFormats = List.copyOf(diskFormats);
    containerFormats = List.copyOf(containerFormats);
    enabledImportMethods = List.copyOf(enabledImportMethods);
    gptSafetyChecksNonfatal = List.copyOf(gptSafetyChecksNonfatal);
    vmdkAllowedTypes = List.copyOf(vmdkAllowedTypes);
    for (String check : gptSafetyChecksNonfatal) {
      if (!GPT_SAFETY_CHECKS.contains(check)) {
        throw new ConfigException("images.gpt_safety_checks_nonfatal: " + check + " (expected: mbr)");
      }
    }
    for (String type : vmdkAllowedTypes) {
      if (SINGLE_FILE_VMDK_TYPES.stream().noneMatch(t -> t.equalsIgnoreCase(type))) {
        throw new ConfigException("images.vmdk_allowed_types: " + type
            + " (expected: streamOptimized or monolithicSparse; other types name extents in other files)");
      }
    }
    if (diskFormats.isEmpty() || containerFormats.isEmpty()) {
      throw new ConfigException("images.disk_formats and images.container_formats must not be empty");
    }
    if (imageSizeCap < 0) {
      throw new ConfigException("images.image_size_cap: " + imageSizeCap + " (expected: >= 0)");
    }
    if (limitParamDefault < 1) {
      throw new ConfigException("images.limit_param_default: " + limitParamDefault + " (expected: >= 1)");
    }
    if (apiLimitMax < 1) {
      throw new ConfigException("images.api_limit_max: " + apiLimitMax + " (expected: >= 1)");
    }
    Map<String, Integer> quotas = Map.of("image_property_quota", imagePropertyQuota, "image_tag_quota", imageTagQuota,
        "image_member_quota", imageMemberQuota, "image_location_quota", imageLocationQuota);
    quotas.forEach((name, q) -> {
      if (q < -1) {
        throw new ConfigException("images." + name + ": " + q + " (expected: -1 for unlimited, or >= 0)");
      }
    });
    for (String m : enabledImportMethods) {
      if (!List.of("glance-direct", "web-download", "copy-image", "glance-download").contains(m)) {
        throw new ConfigException("images.enabled_import_methods: " + m
            + " (expected: glance-direct, web-download, copy-image, glance-download)");
      }
    }
  }

  /** The JDK {@link java.security.MessageDigest} name of {@link #hashingAlgorithm()}. */
  public String hashingDigestName() {
    return HASH_ALGORITHMS.get(hashingAlgorithm);
  }

  /** {@code images.*} and their defaults, Glance's. */
  static ImagesConfig read(ConfigTree t) {
    return new ImagesConfig(
        t.bytes("images.image_size_cap", 1L << 40),
        t.string("images.hashing_algorithm", "sha512"),
        t.list("images.disk_formats", DEFAULT_DISK_FORMATS),
        t.list("images.container_formats", DEFAULT_CONTAINER_FORMATS),
        t.integer("images.limit_param_default", 25),
        t.integer("images.api_limit_max", 1000),
        t.integer("images.image_property_quota", 128),
        t.integer("images.image_tag_quota", 128),
        t.integer("images.image_member_quota", 128),
        t.integer("images.image_location_quota", 10),
        t.bool("images.show_image_direct_url", false),
        t.bool("images.show_multiple_locations", false),
        t.list("images.enabled_import_methods", List.of()),
        t.bool("images.require_image_format_match", true),
        t.list("images.gpt_safety_checks_nonfatal", List.of()),
        t.list("images.vmdk_allowed_types", SINGLE_FILE_VMDK_TYPES));
  }
}
