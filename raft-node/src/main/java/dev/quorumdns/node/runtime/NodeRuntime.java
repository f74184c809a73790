package dev.quorumdns.node.runtime;

import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * What a running node offers the adapters around it (the HTTP API, tests): its local replica,
 * writes through Raft, membership and its own state, as domain values. Nothing here knows a wire
 * format; refusals the caller should tell apart arrive as {@link NodeException} (kind and field) or
 * as the registry's {@link Outcome}.
 *
 * <p>Thread-safe: any method may be called from any thread. Futures complete on the node's threads,
 * so callers must not block in their continuations. Only the reads are idempotent; a write sent
 * twice is applied twice (an upsert of the same spec changes nothing the second time).
 */
public interface NodeRuntime {
  /** This node's member id. */
  String nodeId();

  /** The zone the registry serves ({@code mesh.internal}). */
  String domain();

  /** This replica's read model: lock-free, never waits for Raft. */
  RegistryView view();

  /**
   * A point-in-time read of this replica's store with its change log, for watches and blocking
   * reads: local, no leader needed. Blocking I/O (RocksDB), never on an event loop; close it
   * promptly.
   *
   * @throws IOException while this replica holds no state (loading, or a joining node not yet sent
   *     one)
   */
  RegistrySnapshot readSnapshot() throws IOException;

  /**
   * Calls {@code listener} with the registry revision each time this replica's revision moves (an
   * applied entry changed what it serves, or a snapshot from the leader replaced the state), once
   * {@link #view()} shows it. Called on the apply thread: it must return at once (store a value,
   * wake a thread).
   */
  void onRevision(LongConsumer listener);

  /**
   * What the registry would refuse before the command reaches the log (a static VIP outside the
   * pool), or null.
   */
  Outcome precheck(Command command);

  /**
   * Sends a command through Raft. Completes with {@link WriteResult.Applied} (the registry's
   * outcome, a refusal included), {@link WriteResult.NotSent} (it definitely did not happen) or
   * {@link WriteResult.Unknown} (it may still commit); never exceptionally for those.
   */
  CompletableFuture<WriteResult> submit(Command command);

  /**
   * Completes with this replica's applied index once it has applied every write committed before
   * the call; fails with a {@link NodeException.Kind#NO_QUORUM} when no leader confirms it.
   */
  CompletableFuture<Long> readBarrier();

  /**
   * Grants a lease of {@code ttlMillis} (5 s..1 h) with an id this node picks. Completes as {@link
   * #submit} does, with {@link Outcome.LeaseGranted} once applied.
   */
  CompletableFuture<WriteResult> grantLease(long ttlMillis);

  /**
   * Restarts a lease's TTL at the leader, without a log entry. Fails with {@code NOT_FOUND} (field
   * {@code lease}) when the leader knows no live lease by that id, {@code NO_QUORUM} when no leader
   * answers. Revocation is a write: {@link #submit} a {@link Command.RevokeLease}.
   */
  CompletableFuture<LeaseStatus> keepAliveLease(long id);

  /** How long a lease has left, as the leader tracks it; fails as {@link #keepAliveLease} does. */
  CompletableFuture<LeaseStatus> leaseStatus(long id);

  /**
   * Leader, term, indexes and members as this node sees them now, from local state (no Raft round
   * trip).
   */
  ClusterStatus clusterStatus();

  /**
   * What this node tells nodes looking for their cluster (retry-join, bootstrap-expect): id, Raft
   * address, how far it is in forming or joining a cluster, and the configuration it knows. From
   * local state.
   */
  FormationInfo formation();

  /**
   * Adds a voting member or a listener; completes with the status after the change. Fails with
   * {@code CONFLICT} (already a member, or the configuration changed meanwhile), {@code NO_QUORUM}
   * (this node has no configuration yet) or {@code OUTCOME_UNKNOWN}. Membership changes run one at
   * a time.
   */
  CompletableFuture<ClusterStatus> addMember(String id, HostPort raft, boolean listener);

  /**
   * Removes a member and its published record; completes with the status after the change. Fails
   * with {@code NOT_FOUND}, a {@link ValidationException} on {@code id} for the last voter, or as
   * {@link #addMember} does.
   */
  CompletableFuture<ClusterStatus> removeMember(String id);

  /** Takes a snapshot of this replica now (for backups); fails with {@code SNAPSHOT_FAILED}. */
  CompletableFuture<SnapshotInfo> snapshot();

  /**
   * Takes a snapshot of this replica now and holds a copy of it for a download, until the caller
   * closes it (it must, also when the download fails). It holds what this replica had applied when
   * it was taken: run {@link #readBarrier} first for every write acknowledged before the call.
   * Fails with {@code SNAPSHOT_FAILED}.
   */
  CompletableFuture<SnapshotCopy> snapshotCopy();

  /** Whether this node should receive traffic (loaded and caught up), and why not. */
  Readiness readiness();

  /** Every record this node serves in DNS, zone by zone. */
  List<ZoneRecord> records();
}
