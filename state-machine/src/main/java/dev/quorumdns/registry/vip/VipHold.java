package dev.quorumdns.registry.vip;

import dev.quorumdns.registry.ServiceKey;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A released VIP kept for its previous owner until {@code expiresAtMillis} (log time), so no
 * resolver's cached answer can point at another service. Immutable.
 */
public record VipHold(InetAddress vip, ServiceKey previousOwner, long expiresAtMillis) {
  public VipHold {
    Objects.requireNonNull(vip, "vip");
    Objects.requireNonNull(previousOwner, "previousOwner");
  }

  /** True if the hold still binds at log time {@code nowMillis}. */
  public boolean activeAt(long nowMillis) {
    return nowMillis < expiresAtMillis;
  }
}
