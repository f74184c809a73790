package dev.quorumdns.node;

import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.ClusterStatus.Member;
import dev.quorumdns.node.runtime.ClusterStatus.Role;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as one node sees it (status from local state, no Raft round trip) and membership
 * changes. Thread-safe; membership changes run one at a time on {@code adminExecutor} (a single
 * thread).
 */
final class ClusterOps {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterOps.class);
  private final String selfId;
  private final RaftMembership raft;
  private final RegistryView view;
  private final Executor adminExecutor;
  private final Consumer<Command> submitter;

  /**
   * @param submitter sends the command that removes a removed member's published record
   */
  ClusterOps(
      String selfId,
      RaftMembership raft,
      RegistryView view,
      Executor adminExecutor,
      Consumer<Command> submitter) {
    this.selfId = selfId;
    this.raft = raft;
    this.view = view;
    this.adminExecutor = adminExecutor;
    this.submitter = submitter;
  }

  ClusterStatus status() {
    RaftPeerId leader = raft.leader();
    RaftMembership.State state;
    try {
      state = raft.state();
    } catch (IOException e) {
      state = null;
    }
    List<Member> members = new ArrayList<>();
    try {
      RaftRuntime.Members m = raft.members();
      for (RaftPeer p : m.voters()) {
        members.add(member(p, p.getId().equals(leader) ? Role.LEADER : Role.FOLLOWER, state));
      }
      for (RaftPeer p : m.listeners()) {
        members.add(member(p, Role.LISTENER, state));
      }
    } catch (IOException e) {
      LOG.debug("no raft configuration yet: {}", e.toString());
    }
    return new ClusterStatus(
        selfId,
        leader == null ? null : leader.toString(),
        state == null ? null : state.term(),
        state == null ? null : state.commitIndex(),
        view.appliedIndex(),
        view.revision(),
        view.size(),
        members,
        view.settings().orElse(null));
  }

  private Member member(RaftPeer p, Role role, RaftMembership.State self) {
    String id = p.getId().toString();
    if (id.equals(selfId) && self != null && self.role() == RaftPeerRole.CANDIDATE) {
      role = Role.CANDIDATE;
    }
    NodeRecord rec = view.node(id);
    return new Member(
        id,
        role,
        p.getAddress(),
        rec == null ? null : rec.apiEndpoint(),
        rec == null ? null : rec.dnsEndpoint());
  }

  CompletableFuture<ClusterStatus> add(String id, HostPort raftAddress, boolean listener) {
    return CompletableFuture.supplyAsync(
        () -> {
          RaftRuntime.Members current = members();
          if (current.contains(id)) {
            throw new NodeException(NodeException.Kind.CONFLICT, "id", id + " is already a member");
          }
          List<RaftPeer> voters = new ArrayList<>(current.voters());
          List<RaftPeer> listeners = new ArrayList<>(current.listeners());
          RaftPeer peer =
              RaftPeer.newBuilder().setId(id).setAddress(raftAddress.toString()).build();
          (listener ? listeners : voters).add(peer);
          change(current, new RaftRuntime.Members(voters, listeners), "add " + id);
          return status();
        },
        adminExecutor);
  }

  CompletableFuture<ClusterStatus> remove(String id) {
    return CompletableFuture.supplyAsync(
        () -> {
          RaftRuntime.Members current = members();
          if (!current.contains(id)) {
            throw new NodeException(NodeException.Kind.NOT_FOUND, id + " is not a member");
          }
          List<RaftPeer> voters =
              current.voters().stream().filter(p -> !p.getId().toString().equals(id)).toList();
          List<RaftPeer> listeners =
              current.listeners().stream().filter(p -> !p.getId().toString().equals(id)).toList();
          if (voters.isEmpty()) {
            throw new ValidationException("id", "cannot remove the last voting member");
          }
          change(current, new RaftRuntime.Members(voters, listeners), "remove " + id);
          submitter.accept(new Command.RemoveNode(id));
          return status();
        },
        adminExecutor);
  }

  /** Makes listeners voters, in one configuration change. */
  CompletableFuture<ClusterStatus> promote(List<String> ids) {
    return CompletableFuture.supplyAsync(
        () -> {
          RaftRuntime.Members current = members();
          List<RaftPeer> voters = new ArrayList<>(current.voters());
          List<RaftPeer> listeners = new ArrayList<>();
          for (RaftPeer p : current.listeners()) {
            if (ids.contains(p.getId().toString())) {
              voters.add(RaftPeer.newBuilder().setId(p.getId()).setAddress(p.getAddress()).build());
            } else {
              listeners.add(p);
            }
          }
          if (voters.size() != current.voters().size() + ids.size()) {
            throw new NodeException(
                NodeException.Kind.CONFLICT, "id", "not all of " + ids + " are listeners");
          }
          change(
              current,
              new RaftRuntime.Members(voters, listeners),
              "promote " + String.join(", ", ids));
          return status();
        },
        adminExecutor);
  }

  /** Makes a voter a listener. */
  CompletableFuture<ClusterStatus> demote(String id) {
    return CompletableFuture.supplyAsync(
        () -> {
          RaftRuntime.Members current = members();
          RaftPeer p =
              current.voters().stream()
                  .filter(v -> v.getId().toString().equals(id))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          new NodeException(NodeException.Kind.NOT_FOUND, id + " is not a voter"));
          if (current.voters().size() == 1) {
            throw new ValidationException("id", "cannot demote the last voting member");
          }
          List<RaftPeer> voters = current.voters().stream().filter(v -> v != p).toList();
          List<RaftPeer> listeners = new ArrayList<>(current.listeners());
          listeners.add(
              RaftPeer.newBuilder()
                  .setId(p.getId())
                  .setAddress(p.getAddress())
                  .setStartupRole(RaftPeerRole.LISTENER)
                  .build());
          change(current, new RaftRuntime.Members(voters, listeners), "demote " + id);
          return status();
        },
        adminExecutor);
  }

  private RaftRuntime.Members members() {
    try {
      return raft.members();
    } catch (IOException e) {
      throw new NodeException(
          NodeException.Kind.NO_QUORUM,
          "no Raft configuration on this node yet: " + e.getMessage());
    }
  }

  private void change(RaftRuntime.Members current, RaftRuntime.Members next, String what) {
    try {
      raft.setMembers(current, next);
      LOG.info("membership change done: {}", what);
    } catch (SetConfigurationException e) {
      // Refused. (A change found already in place after a leader change never arrives here:
      // RaftMembership.change returns normally for it.)
      throw new NodeException(NodeException.Kind.CONFLICT, what + " refused: " + e.getMessage());
    } catch (IOException e) {
      throw new NodeException(
          NodeException.Kind.OUTCOME_UNKNOWN,
          what + " may or may not have happened: " + e + "; check GET /v1/cluster");
    }
  }
}
