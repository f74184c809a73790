package dev.quorumdns.node;

import dev.quorumdns.node.autopilot.Autopilot;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.PeerAddress;
import dev.quorumdns.node.membership.ClusterFormation;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.tls.TlsReloader;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.command.Command;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Which Raft this node runs and how it came to run it: at once with the static {@code peers} (or
 * none, with {@code join}), or when the cluster formation has agreed on founders or found a cluster
 * to join; with it, the membership operations and the leader's autopilot. Until then {@link #raft}
 * is null and {@link #notMember} says why. {@link #start} and {@link #close} are called once, from
 * one thread; the rest from any thread.
 */
final class NodeMembership implements AutoCloseable {
  /** Builds this node's Raft runtime once its initial members are decided. */
  interface RaftFactory {
    RaftRuntime create(NodeConfig withMembers) throws IOException;
  }

  private final NodeConfig config;
  private final TlsReloader tls;
  private final Clock clock;
  private final MeterRegistry meters;
  private final RegistryView view;
  private final Executor adminExecutor;
  private final Consumer<Command> submitter;
  private final RaftFactory factory;
  private volatile RaftRuntime raft;
  private volatile ClusterOps cluster;
  private volatile Autopilot autopilot;
  private ClusterFormation formation;

  /**
   * @param submitter sends the command that removes a removed member's published record
   */
  NodeMembership(
      NodeConfig config,
      TlsReloader tls,
      Clock clock,
      MeterRegistry meters,
      RegistryView view,
      Executor adminExecutor,
      Consumer<Command> submitter,
      RaftFactory factory) {
    this.config = config;
    this.tls = tls;
    this.clock = clock;
    this.meters = meters;
    this.view = view;
    this.adminExecutor = adminExecutor;
    this.submitter = submitter;
    this.factory = factory;
  }

  /** Starts Raft now, or the cluster formation that will (with bootstrap-expect or retry-join). */
  void start() throws IOException {
    if (config.discovery().enabled()) {
      formation = MembershipWiring.formation(config, tls, new FormationHost(), clock);
      formation.start();
    } else {
      startRaft(config);
    }
  }

  private synchronized void startRaft(NodeConfig withMembers) throws IOException {
    if (raft != null) {
      throw new IllegalStateException("Raft already runs");
    }
    RaftRuntime r = factory.create(withMembers);
    ClusterOps ops =
        new ClusterOps(config.id(), RaftMembership.of(r), view, adminExecutor, submitter);
    autopilot = MembershipWiring.autopilot(config, r, ops, clock, meters);
    cluster = ops;
    raft = r;
    r.start();
  }

  /** This node's Raft runtime, or null while it is still forming or finding its cluster. */
  RaftRuntime raft() {
    return raft;
  }

  /** One look of the autopilot (it acts only where this node leads). */
  void tickAutopilot() {
    Autopilot a = autopilot;
    if (a != null) {
      a.tick();
    }
  }

  /** Why this node cannot serve what needs Raft yet. */
  String notMember() {
    ClusterFormation f = formation;
    return "this node is not a member of a cluster yet"
        + (f == null ? "" : " (" + f.state().reason() + ")");
  }

  ClusterStatus status() {
    ClusterOps ops = cluster;
    if (ops == null) {
      return new ClusterStatus(
          config.id(),
          null,
          null,
          null,
          view.appliedIndex(),
          view.revision(),
          view.size(),
          List.of(),
          view.settings().orElse(null),
          null,
          notMember());
    }
    return MembershipWiring.status(ops.status(), autopilot, formation);
  }

  FormationInfo formationInfo() {
    return MembershipWiring.info(config, raft, formation);
  }

  CompletableFuture<ClusterStatus> add(String id, HostPort raftAddress, boolean listener) {
    ClusterOps ops = cluster;
    return ops == null ? notYet() : ops.add(id, raftAddress, listener);
  }

  CompletableFuture<ClusterStatus> remove(String id) {
    ClusterOps ops = cluster;
    return ops == null ? notYet() : ops.remove(id);
  }

  private CompletableFuture<ClusterStatus> notYet() {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.NO_QUORUM, notMember()));
  }

  /** What the cluster formation needs from this node. */
  private final class FormationHost implements ClusterFormation.Host {
    @Override
    public void startRaft(List<PeerAddress> founders) throws IOException {
      NodeMembership.this.startRaft(config.withMembers(founders, founders.isEmpty()));
    }

    @Override
    public boolean isMember() {
      RaftRuntime r = raft;
      try {
        return r != null && r.members().contains(config.id());
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void askToJoin(FormationInfo via) throws IOException {
      RaftRuntime r = raft;
      if (r != null) {
        MembershipWiring.askToJoin(r, via, config.discovery().advertiseRaft().toString());
      }
    }
  }

  @Override
  public void close() {
    if (formation != null) {
      formation.close();
    }
  }
}
