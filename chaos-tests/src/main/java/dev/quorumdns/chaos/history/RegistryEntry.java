package dev.quorumdns.chaos.history;

import java.util.Objects;

/** One service as a whole-registry read saw it: its VIP and the workload's canonical spec. */
public record RegistryEntry(String vip, String spec) {
  public RegistryEntry {
    Objects.requireNonNull(vip, "vip");
    Objects.requireNonNull(spec, "spec");
  }
}
