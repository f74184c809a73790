package dev.quorumdns.registry.vip;

import dev.quorumdns.registry.ServiceKey;
import java.net.InetAddress;
import java.util.List;

/**
 * What the allocator needs to know about the addresses already taken. Read on the apply thread
 * only.
 */
public interface VipOccupancy {
  /** The service holding {@code vip}, or null. */
  ServiceKey ownerOf(InetAddress vip);

  /** The hold-down on {@code vip}, or null. Only active holds are present at allocation time. */
  VipHold holdOn(InetAddress vip);

  /** The active holds kept for {@code owner} in {@code family}. */
  List<VipHold> holdsFor(ServiceKey owner, VipPool.Family family);

  /** How many addresses of {@code family} are held by services. */
  long used(VipPool.Family family);

  /** How many addresses of {@code family} are in hold-down. */
  long held(VipPool.Family family);
}
