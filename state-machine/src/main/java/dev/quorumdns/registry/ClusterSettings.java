package dev.quorumdns.registry;

import dev.quorumdns.registry.vip.VipPool;

/**
 * Settings every replica must agree on, because {@code apply} depends on them. They are written
 * once into the replicated state by the first leader, from its configuration, and never change
 * afterwards. Immutable.
 *
 * @param vip4Pool the IPv4 VIP pool
 * @param vip6Pool the IPv6 VIP pool, or null when IPv6 VIPs are disabled
 * @param holdDownMillis how long a released VIP stays reserved for its previous owner
 */
public record ClusterSettings(VipPool vip4Pool, VipPool vip6Pool, long holdDownMillis) {
  public static final String DEFAULT_VIP4 = "240.0.0.0/4";
  public static final String DEFAULT_VIP6 = "fd00:fd00::/64";
  public static final long DEFAULT_HOLD_DOWN_MILLIS = 10 * 60 * 1000L;

  public ClusterSettings {
    if (vip4Pool == null) {
      throw new ValidationException("vip-cidr", "is required (expected: an IPv4 block)");
    }
    if (vip4Pool.family() != VipPool.Family.IPV4) {
      throw new ValidationException("vip-cidr", vip4Pool + " (expected: an IPv4 block)");
    }
    if (vip6Pool != null && vip6Pool.family() != VipPool.Family.IPV6) {
      throw new ValidationException("vip6-cidr", vip6Pool + " (expected: an IPv6 block)");
    }
    if (holdDownMillis < 0 || holdDownMillis > 7L * 24 * 3600 * 1000) {
      throw new ValidationException(
          "vip-hold-down", holdDownMillis + " ms (expected: 0 ms..7 days)");
    }
  }

  public static ClusterSettings defaults() {
    return new ClusterSettings(
        VipPool.parse("vip-cidr", DEFAULT_VIP4),
        VipPool.parse("vip6-cidr", DEFAULT_VIP6),
        DEFAULT_HOLD_DOWN_MILLIS);
  }

  public VipPool pool(VipPool.Family family) {
    return family == VipPool.Family.IPV4 ? vip4Pool : vip6Pool;
  }
}
