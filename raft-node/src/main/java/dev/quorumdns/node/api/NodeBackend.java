package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.raft.WriteResult;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.util.concurrent.CompletableFuture;

/** What the HTTP API needs from the node it runs in. Thread-safe; any method may be called from any thread. */
public interface NodeBackend {
  String nodeId();

  String domain();

  /** This replica's read model. */
  RegistryView view();

  /** What the registry would refuse before the log (a static VIP outside the pool), or null. */
  Outcome precheck(Command command);

  CompletableFuture<WriteResult> submit(Command command);

  /** Completes once this replica has applied every write committed before the call; fails without quorum. */
  CompletableFuture<Long> readBarrier();

  /** {@code {leader, term, commitIndex, appliedIndex, revision, members:[{id, role, raft, api, dns}]}}. */
  ObjectNode clusterStatus();

  /** Adds a voting member or listener; completes with the new {@link #clusterStatus()}. */
  CompletableFuture<ObjectNode> addMember(String id, HostPort raft, boolean listener);

  /** Removes a member; completes with the new {@link #clusterStatus()}. */
  CompletableFuture<ObjectNode> removeMember(String id);

  /** Takes a snapshot of this node's replica now; completes with {@code {index, directory}}. */
  CompletableFuture<ObjectNode> snapshot();

  /** Loaded and caught up, with the reason when not. */
  Readiness readiness();

  /** Prometheus text exposition of every meter. */
  String scrapeMetrics();

  /** Every record this node serves in DNS. */
  ArrayNode records();

  /** Readiness and why. Immutable. */
  record Readiness(boolean ready, String reason) {}
}
