package dev.quorumdns.node;

import dev.quorumdns.node.autopilot.Autopilot;
import dev.quorumdns.node.autopilot.AutopilotPlan;
import dev.quorumdns.node.autopilot.MemberView;
import dev.quorumdns.node.autopilot.RatisLook;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.membership.ClusterFormation;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import dev.quorumdns.node.runtime.FormationInfo.Phase;
import dev.quorumdns.node.tls.TlsContexts;
import dev.quorumdns.node.tls.TlsReloader;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Wires the cluster formation and the autopilot into a node: builds them, answers the formation
 * info from whichever of them (or Raft) knows, and adds the autopilot's view to the cluster status.
 * Stateless.
 */
final class MembershipWiring {
  private MembershipWiring() {}

  static ClusterFormation formation(
      NodeConfig config, TlsReloader tls, ClusterFormation.Host host, Clock clock)
      throws IOException {
    SSLContext client = null;
    if (tls != null) {
      try {
        client = TlsContexts.peerClient(tls);
      } catch (GeneralSecurityException e) {
        throw new IOException("TLS for retry-join: " + e.getMessage(), e);
      }
    }
    return new ClusterFormation(config, client, host, clock);
  }

  /**
   * The autopilot of {@code raft}, with its gauges: members by health and role, as the leader sees
   * them.
   */
  static Autopilot autopilot(
      NodeConfig config, RaftRuntime raft, ClusterOps ops, Clock clock, MeterRegistry meters) {
    Autopilot a =
        new Autopilot(
            config.autopilot(),
            config.electionTimeout(),
            () -> RatisLook.of(raft),
            change -> apply(ops, change),
            clock);
    for (boolean healthy : new boolean[] {true, false}) {
      for (boolean voter : new boolean[] {true, false}) {
        Gauge.builder(
                "quorumdns.autopilot.members",
                a,
                x ->
                    x.report().members().stream()
                        .filter(m -> m.healthy() == healthy && m.voter() == voter)
                        .count())
            .description(
                "Members by health and role as the leader's autopilot sees them (0 on other nodes)")
            .tag("health", healthy ? "healthy" : "unhealthy")
            .tag("role", voter ? "voter" : "listener")
            .register(meters);
      }
    }
    return a;
  }

  private static CompletableFuture<?> apply(ClusterOps ops, AutopilotPlan.Change change) {
    if (change instanceof AutopilotPlan.Change.Remove r) {
      return ops.remove(r.id());
    }
    if (change instanceof AutopilotPlan.Change.Promote p) {
      return ops.promote(p.ids());
    }
    return ops.demote(((AutopilotPlan.Change.Demote) change).id());
  }

  /** Sends a join request (this node as a new listener) to the cluster {@code via} describes. */
  static void askToJoin(RaftRuntime raft, FormationInfo via, String selfRaft) throws IOException {
    RaftRuntime.Members current =
        new RaftRuntime.Members(peers(via.voters()), peers(via.listeners()));
    RaftClientReply reply = raft.askToJoin(current, selfRaft);
    if (!reply.isSuccess()) {
      throw reply.getException() != null
          ? reply.getException()
          : new IOException("the leader did not add this node and gave no reason");
    }
  }

  private static List<RaftPeer> peers(List<Peer> peers) {
    return peers.stream()
        .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.raft()).build())
        .toList();
  }

  /**
   * This node's formation info: from Raft once it runs, else from the formation (or nothing, for
   * static peers).
   */
  static FormationInfo info(NodeConfig config, RaftRuntime raft, ClusterFormation formation) {
    ClusterFormation.State fs = formation == null ? null : formation.state();
    String raftAddress =
        config.discovery().enabled()
            ? config.discovery().advertiseRaft().toString()
            : config.peers().stream()
                .filter(p -> p.id().equals(config.id()))
                .map(p -> p.endpoint())
                .findFirst()
                .orElse(config.advertise().getHostAddress() + ":" + config.raftPort());
    String api = config.advertise().getHostAddress() + ":" + config.apiPort();
    int expect = config.discovery().bootstrapExpect();
    if (raft == null) {
      Phase phase = fs == null ? Phase.JOINING : fs.phase();
      return new FormationInfo(
          config.id(),
          config.cluster(),
          raftAddress,
          api,
          expect,
          phase,
          fs == null ? null : fs.founders(),
          fs == null ? null : fs.proposal(),
          null,
          List.of(),
          List.of(),
          false,
          fs == null ? "starting" : fs.reason());
    }
    try {
      RaftServer.Division d = raft.startedDivision();
      RaftConfiguration conf = d.getRaftConf();
      List<Peer> voters = toPeers(conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().toList());
      List<Peer> listeners = toPeers(conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().toList());
      boolean committed =
          conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()
              && conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty()
              && conf.getLogEntryIndex() <= d.getRaftLog().getLastCommittedIndex();
      boolean member =
          voters.stream().anyMatch(p -> p.id().equals(config.id()))
              || listeners.stream().anyMatch(p -> p.id().equals(config.id()));
      RaftPeerId leader = raft.leader();
      List<Peer> founders = fs == null ? null : fs.founders();
      return new FormationInfo(
          config.id(),
          config.cluster(),
          raftAddress,
          api,
          expect,
          member ? Phase.MEMBER : Phase.JOINING,
          founders,
          founders,
          leader == null ? null : leader.toString(),
          voters,
          listeners,
          committed,
          member ? "member" : fs == null ? "waiting to be added" : fs.reason());
    } catch (IOException e) {
      return new FormationInfo(
          config.id(),
          config.cluster(),
          raftAddress,
          api,
          expect,
          Phase.JOINING,
          fs == null ? null : fs.founders(),
          null,
          null,
          List.of(),
          List.of(),
          false,
          "Raft not running: " + e.getMessage());
    }
  }

  private static List<Peer> toPeers(List<RaftPeer> peers) {
    List<Peer> out = new ArrayList<>();
    peers.forEach(p -> out.add(new Peer(p.getId().toString(), p.getAddress())));
    return out;
  }

  /**
   * {@code base} with each member's health and the autopilot's decision (where this node leads).
   */
  static ClusterStatus status(ClusterStatus base, Autopilot autopilot, ClusterFormation formation) {
    String forming = null;
    if (formation != null && formation.state().phase() != Phase.MEMBER) {
      forming = formation.state().reason();
    }
    if (autopilot == null) {
      return withExtras(base, base.members(), null, forming);
    }
    Autopilot.Report report = autopilot.report();
    if (!report.tracking()) {
      String who = base.leader() == null ? "the leader" : "the leader (" + base.leader() + ")";
      return withExtras(
          base,
          base.members(),
          new ClusterStatus.Autopilot(
              false, "member health is tracked by " + who + ": ask it", autopilot.lastAction()),
          forming);
    }
    Map<String, MemberView> views = new HashMap<>();
    report.members().forEach(v -> views.put(v.id(), v));
    List<ClusterStatus.Member> members = new ArrayList<>();
    for (ClusterStatus.Member m : base.members()) {
      MemberView v = views.get(m.id());
      members.add(
          v == null
              ? m
              : new ClusterStatus.Member(
                  m.id(),
                  m.role(),
                  m.raft(),
                  m.api(),
                  m.dns(),
                  new ClusterStatus.Health(
                      v.lastContactMillis(),
                      v.logLag(),
                      v.healthy(),
                      report.plan().reasons().get(m.id()))));
    }
    return withExtras(
        base,
        members,
        new ClusterStatus.Autopilot(true, report.plan().decision(), autopilot.lastAction()),
        forming);
  }

  private static ClusterStatus withExtras(
      ClusterStatus b,
      List<ClusterStatus.Member> members,
      ClusterStatus.Autopilot autopilot,
      String formation) {
    return new ClusterStatus(
        b.id(),
        b.leader(),
        b.term(),
        b.commitIndex(),
        b.appliedIndex(),
        b.revision(),
        b.services(),
        members,
        b.settings(),
        autopilot,
        formation);
  }
}
