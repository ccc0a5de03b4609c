package io.imago.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.imago.domain.QuotaResource;
import org.junit.jupiter.api.Test;

/** The arithmetic and texts of the checks (oslo.limit's "usage + delta > limit"). */
class QuotasTest {
  @Test
  void declaredSizesRoundUpToWholeMib() {
    assertThat(Quotas.ceilMib(0)).isZero();
    assertThat(Quotas.ceilMib(1)).isEqualTo(1);
    assertThat(Quotas.ceilMib(Quotas.MIB)).isEqualTo(1);
    assertThat(Quotas.ceilMib(Quotas.MIB + 1)).isEqualTo(2);
    assertThat(Quotas.ceilMib(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE / Quotas.MIB + 1);
  }

  @Test
  void exactlyAtTheLimitPassesAndOneMoreIsRefused() {
    assertThat(Quotas.enforce("p", QuotaResource.IMAGE_COUNT_TOTAL, 3, 2, 1).succeeded()).isTrue();
    assertThat(Quotas.enforce("p", QuotaResource.IMAGE_COUNT_TOTAL, 3, 3, 0).succeeded()).isTrue();
    assertThat(Quotas.enforce("p", QuotaResource.IMAGE_COUNT_TOTAL, 3, 3, 1).failed()).isTrue();
    assertThat(Quotas.enforce("p", QuotaResource.IMAGE_COUNT_TOTAL, 0, 0, 1).failed()).isTrue();
  }

  @Test
  void theRefusalCarriesOsloLimitsTextInsideGlancesLimitExceeded() {
    Throwable e = Quotas.enforce("p-a", QuotaResource.IMAGE_SIZE_TOTAL, 10, 8, 3).cause();
    assertThat(e).isInstanceOf(ImagoException.class);
    assertThat(((ImagoException) e).kind()).isEqualTo(ErrorKind.TOO_LARGE);
    assertThat(e.getMessage()).isEqualTo("The request returned a 413 Request Entity Too Large. This generally means"
        + " that rate limiting or a quota threshold was breached.\n\nThe response body:\n"
        + "Project p-a is over a limit for [Resource image_size_total is over limit of 10 due to current usage 8"
        + " and delta 3]");
  }

  @Test
  void storageQuotaFullReadsLikeGlances() {
    assertThat(Quotas.storageQuotaFull(2097152L, 1048576).getMessage()).isEqualTo("Image exceeds the storage quota:"
        + " The size of the data 2097152 will exceed the limit. 1048576 bytes remaining.");
    assertThat(Quotas.storageQuotaFull(null, 0).getMessage()).contains("The size of the data None will exceed");
  }
}
