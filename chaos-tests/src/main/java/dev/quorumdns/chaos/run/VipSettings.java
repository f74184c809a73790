package dev.quorumdns.chaos.run;

import java.time.Duration;
import java.util.List;

/**
 * The VIP settings of the chaos cluster, chosen so hold-downs run out and VIPs are reused within a
 * run: a 20 s hold-down (the node requires at least twice {@code dns-ttl}, hence a 10 s TTL) and a
 * /24 pool. The pool must stay larger than every name a run can leave registered (the workload
 * retires names after unknown outcomes and leaves them), so reuse by another name comes from {@link
 * dev.quorumdns.chaos.workload.HoldDownWorkload}'s static claims and, now and then, from probing.
 */
public final class VipSettings {
  /** The node's {@code --vip-hold-down}, and what {@code vip-hold-down} judges against. */
  public static final Duration HOLD_DOWN = Duration.ofSeconds(20);

  public static final int DNS_TTL_SECONDS = 10;
  public static final String VIP_CIDR = "240.0.0.0/24";

  private VipSettings() {}

  /** The node flags that set them. */
  public static List<String> nodeFlags() {
    return List.of(
        "--vip-hold-down",
        HOLD_DOWN.toSeconds() + "s",
        "--dns-ttl",
        String.valueOf(DNS_TTL_SECONDS),
        "--vip-cidr",
        VIP_CIDR);
  }
}
