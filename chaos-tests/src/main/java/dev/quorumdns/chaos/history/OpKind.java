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
  PHASE,
  /**
   * DNS AAAA query of a name at one node; ok result {@code NOERROR} (address in vip6) or NXDOMAIN.
   */
  RESOLVE_AAAA,
  /**
   * DNS PTR query at one node: value = the address asked about; ok result {@code NOERROR} with the
   * service name answered ({@code ns/name}) as the completion's value, or {@code NXDOMAIN}.
   */
  RESOLVE_PTR,
  /**
   * POST /v1/batch writing every name of a group at once: name = the group, nodes = its names,
   * value = the spec each gets (null for a batch that deletes them all); ok result {@code applied}.
   */
  BATCH,
  /**
   * A watcher (opens) a stream: node, revision = {@code from}; result {@code connected}, {@code
   * gone} (410: value = oldest revision), or an error code. Watch and lease kinds come after the
   * bookkeeping kinds so {@link #isClientOp()} stays false for them: other checkers ignore them.
   */
  WATCH_CONNECT,
  /** One change line: name, value = spec, vip, revision, result = {@code put} or {@code delete}. */
  WATCH_EVENT,
  /** A progress line (revision), or the stream's {@code dropped} line (result = its error). */
  WATCH_PROGRESS,
  /** The stream ended: result = why ({@code closed}, {@code idle}, {@code io}, {@code final}). */
  WATCH_END,
  /** A relist after 410: the registry and revision the watcher restarts from. */
  WATCH_RELIST,
  /** Lease calls (invoke + completion, paired by the lease checker): value = lease id. */
  LEASE_GRANT,
  LEASE_REGISTER,
  LEASE_KEEPALIVE,
  LEASE_READ,
  LEASE_REVOKE,
  /** The lease workload stops renewing a lease (value = id) and leaves it to expire. */
  LEASE_ABANDON;

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
    return ordinal() <= CLUSTER_STATUS.ordinal()
        || this == RESOLVE_AAAA
        || this == RESOLVE_PTR
        || this == BATCH;
  }
}
