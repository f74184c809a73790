package dev.quorumdns.chaos.history;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What an operation does (Jepsen's {@code :f}). Client kinds touch one name; the rest are
 * bookkeeping.
 */
public enum OpKind {
  /** PUT of a name believed absent; ok result {@code created} or {@code updated}, with the VIP. */
  REGISTER,
  /** PUT of a name believed present (new endpoints); same results as REGISTER. */
  UPDATE,
  /** DELETE; ok result {@code deleted} (with the VIP it had) or {@code not_found}. */
  DELETE,
  /** Linearizable GET of one name; ok result {@code found} (spec, VIP) or {@code not_found}. */
  READ_API,
  /**
   * GET of the whole registry from one node (final reads, usually {@code ?stale}); fills {@code
   * registry}.
   */
  READ_ALL,
  /** DNS A query of a name at one node; ok result {@code NOERROR} (VIP) or {@code NXDOMAIN}. */
  RESOLVE_DNS,
  /** GET /v1/cluster of one node; ok carries the node's registry {@code revision}. */
  CLUSTER_STATUS,
  /**
   * A nemesis fault begins: value = {@link FaultKind} wire name, nodes = targets, name = fault id.
   */
  FAULT_START,
  /** The fault with the same id is healed. */
  FAULT_STOP,
  /**
   * A marker: name = phase ({@code scenario}, {@code heal}, {@code final}), value = scenario name.
   */
  PHASE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @JsonCreator
  public static OpKind parse(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  /** Writes that go through the Raft log. */
  public boolean isWrite() {
    return this == REGISTER || this == UPDATE || this == DELETE;
  }

  /** PUT of a service (register or update). */
  public boolean isPut() {
    return this == REGISTER || this == UPDATE;
  }

  /** Operations issued by workload clients (as opposed to the nemesis and markers). */
  public boolean isClientOp() {
    return ordinal() <= CLUSTER_STATUS.ordinal();
  }
}
