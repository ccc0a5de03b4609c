package io.imago.api;

import io.imago.auth.Authenticator;
import io.imago.config.ImagoConfig;
import io.imago.data.Downloads;
import io.imago.data.ImageStores;
import io.imago.data.Uploads;
import io.imago.db.ImageRepository;
import io.imago.db.MemberRepository;
import io.imago.domain.ImageSchema;
import io.imago.metrics.Metrics;
import io.imago.policy.Policy;
import io.imago.policy.PropertyProtections;
import io.imago.quota.Quotas;
import io.imago.tasks.BlobSweeper;
import io.imago.worker.Pools;
import java.time.Clock;

/**
 * Everything the handlers use, built once by {@code app.App} and shared by every HTTP verticle
 * instance (all members are thread-safe).
 *
 * @param stores the configured stores as the API shows them
 * @param propertyProtections who may create/read/update/delete which custom property (security.md §2)
 */
public record Services(
    ImagoConfig config,
    Clock clock,
    ImageRepository images,
    MemberRepository members,
    Authenticator authenticator,
    Policy policy,
    ImageSchema schema,
    ImageStores stores,
    Uploads uploads,
    Downloads downloads,
    Pools pools,
    Metrics metrics,
    Lifecycle lifecycle,
    BlobSweeper sweeper,
    Quotas quotas,
    PropertyProtections propertyProtections) {

  public ImageView view() {
    return new ImageView(config.images(), stores, propertyProtections);
  }
}
