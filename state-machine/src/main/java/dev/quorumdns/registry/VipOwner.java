package dev.quorumdns.registry;

import java.net.InetAddress;
import java.util.Objects;

/** One entry of the VIP index: the service holding {@code vip}. Immutable. */
public record VipOwner(InetAddress vip, ServiceKey owner) {
  public VipOwner {
    Objects.requireNonNull(vip, "vip");
    Objects.requireNonNull(owner, "owner");
  }
}
