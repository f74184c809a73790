package dev.quorumdns.registry.vip;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.command.Outcome;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses a VIP for a new registration, deterministically: the same pool, occupancy and key always
 * give the same address, so every replica agrees without talking. Order of preference: a requested
 * static VIP; else a VIP held down for this very name (the newest hold); else the first free
 * address probing linearly from the name's hash. Stateless and thread-safe; call it on the apply
 * thread with that thread's occupancy.
 */
public final class VipAllocator {
  private static final Comparator<VipHold> NEWEST_FIRST =
      Comparator.comparingLong(VipHold::expiresAtMillis)
          .reversed()
          .thenComparing(h -> IpAddresses.format(h.vip()));

  private VipAllocator() {}

  /** A chosen address, or the refusal to give one. Exactly one field is non-null. */
  public record Result(InetAddress vip, Outcome refusal) {
    static Result of(InetAddress vip) {
      return new Result(vip, null);
    }

    static Result refuse(Outcome o) {
      return new Result(null, o);
    }
  }

  public static Result allocate(
      VipPool pool, VipOccupancy taken, ServiceKey key, InetAddress requested) {
    String field = pool.family().field();
    if (requested != null) {
      return claimStatic(pool, taken, key, requested, field);
    }
    List<VipHold> own = taken.holdsFor(key, pool.family());
    if (!own.isEmpty()) {
      return Result.of(own.stream().sorted(NEWEST_FIRST).findFirst().orElseThrow().vip());
    }
    long capacity = pool.capacity();
    long busy = taken.used(pool.family()) + taken.held(pool.family());
    if (busy >= capacity) {
      return Result.refuse(new Outcome.PoolExhausted(field, pool.cidr()));
    }
    long offset = pool.preferredOffset(key);
    // Terminates: fewer than capacity addresses are busy, so a usable free one exists.
    while (true) {
      if (pool.usable(offset)) {
        InetAddress candidate = pool.addressAt(offset);
        if (taken.ownerOf(candidate) == null && taken.holdOn(candidate) == null) {
          return Result.of(candidate);
        }
      }
      offset = pool.next(offset);
    }
  }

  private static Result claimStatic(
      VipPool pool, VipOccupancy taken, ServiceKey key, InetAddress vip, String field) {
    String text = IpAddresses.format(vip);
    if (!pool.contains(vip)) {
      return Result.refuse(
          new Outcome.Invalid(field, text + " is outside the VIP pool " + pool.cidr()));
    }
    if (!pool.usable(vip)) {
      return Result.refuse(
          new Outcome.Invalid(
              field, text + " is the network or broadcast address of " + pool.cidr()));
    }
    ServiceKey owner = taken.ownerOf(vip);
    if (owner != null) {
      return Result.refuse(new Outcome.Conflict(field, text + " is held by " + owner));
    }
    VipHold hold = taken.holdOn(vip);
    if (hold != null && !hold.previousOwner().equals(key)) {
      return Result.refuse(
          new Outcome.Conflict(
              field,
              text
                  + " was released by "
                  + hold.previousOwner()
                  + " and is held down for it until "
                  + Instant.ofEpochMilli(hold.expiresAtMillis())));
    }
    return Result.of(vip);
  }
}
