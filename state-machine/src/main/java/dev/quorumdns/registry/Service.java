package dev.quorumdns.registry;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.Objects;

/**
 * A registered service as the replicated state holds it. Immutable.
 *
 * @param spec ports, endpoints and labels (never carries VIP requests)
 * @param vip4 the allocated IPv4 VIP; null exactly when the service is headless
 * @param vip6 the allocated IPv6 VIP, or null when the cluster has no IPv6 pool or the service is
 *     headless
 * @param revision the Raft index of the entry that last changed it
 * @param createRevision the Raft index of the entry that created it
 */
public record Service(
    ServiceKey key,
    ServiceSpec spec,
    Inet4Address vip4,
    Inet6Address vip6,
    long revision,
    long createRevision) {
  public Service {
    Objects.requireNonNull(key, "key");
    spec = Objects.requireNonNull(spec, "spec").withoutVips();
    if (spec.headless() ? vip4 != null || vip6 != null : vip4 == null) {
      throw new IllegalArgumentException(
          key
              + ": "
              + (spec.headless()
                  ? "a headless service holds no VIP"
                  : "a service that is not headless holds an IPv4 VIP"));
    }
    if (createRevision <= 0 || revision < createRevision) {
      throw new IllegalArgumentException("revisions " + createRevision + ".." + revision);
    }
  }

  /** True if {@code other} registers the same ports, endpoints and labels. */
  public boolean sameSpec(ServiceSpec other) {
    return spec.equals(other.withoutVips());
  }
}
