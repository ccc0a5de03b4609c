package io.imago.data;

import static java.util.Objects.requireNonNull;

import io.imago.data.format.Detection;
import io.imago.data.format.FormatDetector;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declared {@code disk_format} checked against the bytes, as Glance (2025.1+) does on every
 * store write (spec/security.md §4.2, Glance's {@code ImageProxy.set_data}): a {@link Tap} on a
 * hashing lane runs the {@link FormatDetector} over the single pass and, after the last byte,
 * either gives the virtual size to record or refuses the data with a 415 that names what failed.
 *
 * <ol>
 *   <li>Only {@code container_format: bare} is inspected.
 *   <li>Several formats at once are a format error, except ISO+GPT, taken as ISO (hybrid ISOs).
 *   <li>Detected == declared: the header's virtual size. Detected raw and declared a format that
 *       cannot be inspected ({@code ami}, {@code ari}, {@code aki}, {@code ploop}): accepted, no
 *       virtual size. Declared raw, detected something else: accepted, virtual size = bytes. Any
 *       other mismatch: a format error.
 *   <li>Format errors refuse the data when {@code require_image_format_match} is on (the default).
 *   <li>The detected format's safety checks always run, and any failure refuses the data, except
 *       failures of a gpt image that {@code gpt_safety_checks_nonfatal} names.
 * </ol>
 *
 * <p>Where Glance skips the safety checks (a tolerated mismatch, several formats with
 * {@code require_image_format_match} off), Imago runs those of every matching format.
 */
public final class FormatInspection {
  private static final Logger LOG = LoggerFactory.getLogger(FormatInspection.class);

  /**
   * @param requireImageFormatMatch {@code [image_format] require_image_format_match}
   * @param gptSafetyChecksNonfatal {@code [image_format] gpt_safety_checks_nonfatal}
   * @param vmdkAllowedTypes {@code [image_format] vmdk_allowed_types}
   */
  public record Settings(boolean requireImageFormatMatch, Set<String> gptSafetyChecksNonfatal,
      Set<String> vmdkAllowedTypes) {
    public Settings {
      gptSafetyChecksNonfatal = Set.copyOf(gptSafetyChecksNonfatal);
      vmdkAllowedTypes = Set.copyOf(vmdkAllowedTypes);
    }
  }

  /**
   * What the data is, once accepted.
   *
   * @param format the detected format
   * @param virtualSize the {@code virtual_size} to record; null leaves it unset (as Glance does for 0)
   */
  public record Verdict(String format, Long virtualSize) {}

  private final Settings settings;

  public FormatInspection(Settings settings) {
    this.settings = requireNonNull(settings, "settings");
  }

  /** The inspection tap of one upload, or null when Glance does not inspect this container format. */
  public Tap<Verdict> tap(String diskFormat, String containerFormat) {
    if (!"bare".equals(containerFormat)) {
      return null;
    }
    requireNonNull(diskFormat, "diskFormat");
    FormatDetector detector = new FormatDetector(settings.vmdkAllowedTypes());
    return new Tap<>() {
      private RuntimeException broken;

      @Override
      public String name() {
        return "format";
      }

      @Override
      public void accept(ByteBuffer bytes) {
        if (broken == null) {
          try {
            detector.accept(bytes);
          } catch (RuntimeException e) { // a bug of ours: never let it look like the client's data
            broken = e;
          }
        }
      }

      @Override
      public Verdict result() {
        if (broken == null) {
          try {
            return decide(diskFormat, detector.finish());
          } catch (ImagoException e) {
            throw e;
          } catch (RuntimeException e) {
            broken = e;
          }
        }
        LOG.atError().setMessage("format inspection failed").setCause(broken).log();
        if (settings.requireImageFormatMatch()) {
          throw refusal("Image format inspection failed");
        }
        return new Verdict(null, null);
      }
    };
  }

  /** Glance's decision for data declared {@code diskFormat} that the detector found to be {@code d}. */
  Verdict decide(String diskFormat, Detection d) {
    List<Detection.Match> matches = d.matches();
    Set<String> found = new TreeSet<>(d.formats());
    Detection.Match chosen;
    String formatError = null;
    if (matches.isEmpty()) {
      chosen = new Detection.Match("raw", d.size(), Map.of());
    } else if (found.equals(Set.of("gpt", "iso"))) {
      chosen = matches.stream().filter(m -> m.format().equals("iso")).findFirst().orElseThrow();
    } else if (matches.size() > 1) {
      chosen = null;
      formatError = "Multiple formats detected: " + String.join(",", d.formats());
    } else {
      chosen = matches.get(0);
    }
    Long virtualSize = null;
    if (chosen != null) {
      String format = chosen.format();
      if (format.equals(diskFormat)) {
        virtualSize = chosen.virtualSize();
      } else if (format.equals("raw") && !FormatDetector.FORMATS.contains(diskFormat)) {
        LOG.atDebug().setMessage("disk format is not inspectable").addKeyValue("disk_format", diskFormat).log();
      } else if (diskFormat.equals("raw")) {
        LOG.atWarn().setMessage("image claims raw but is another format").addKeyValue("format", format).log();
        virtualSize = d.size();
      } else {
        formatError = "Image disk_format " + diskFormat + " does not match stream data " + format
            + why(diskFormat, d);
      }
    }
    // the safety checks: of the chosen format, or of every match when none could be chosen
    List<String> fatal = new ArrayList<>();
    for (Detection.Match m : chosen != null && !chosen.format().equals("raw") ? List.of(chosen) : matches) {
      Map<String, String> failures = m.failures();
      boolean tolerated = m.format().equals("gpt")
          && settings.gptSafetyChecksNonfatal().containsAll(failures.keySet());
      if (failures.isEmpty()) {
        continue;
      }
      String text = failures.entrySet().stream().map(e -> m.format() + " " + e.getKey() + ": " + e.getValue())
          .collect(Collectors.joining("; "));
      if (tolerated) {
        LOG.atWarn().setMessage("non-fatal safety check failures").addKeyValue("failures", text).log();
      } else {
        fatal.add(text);
      }
    }
    if (!fatal.isEmpty()) {
      throw refusal("Image failed safety checks (" + String.join("; ", fatal) + ")");
    }
    if (formatError != null) {
      if (settings.requireImageFormatMatch()) {
        throw refusal(formatError);
      }
      LOG.atWarn().setMessage("image format did not match; virtual size unknown")
          .addKeyValue("disk_format", diskFormat).addKeyValue("reason", formatError).log();
      return new Verdict(chosen == null ? null : chosen.format(), null);
    }
    return new Verdict(chosen.format(), virtualSize == null || virtualSize == 0 ? null : virtualSize);
  }

  /** Why the declared format's inspector did not match, when it found its signature but not its structure. */
  private static String why(String diskFormat, Detection d) {
    String reason = d.excluded().get(diskFormat);
    return reason == null ? "" : " (" + reason + ")";
  }

  private static ImagoException refusal(String message) {
    return new ImagoException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "%s", message);
  }
}
