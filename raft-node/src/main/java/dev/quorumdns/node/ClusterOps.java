package dev.quorumdns.node;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.api.ApiException;
import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as one node sees it (status from local state, no Raft round trip) and membership changes.
 * Thread-safe; membership changes run one at a time on {@code adminExecutor}.
 */
final class ClusterOps {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterOps.class);
  private final String selfId;
  private final RaftRuntime raft;
  private final RegistryView view;
  private final ExecutorService adminExecutor;

  ClusterOps(String selfId, RaftRuntime raft, RegistryView view, ExecutorService adminExecutor) {
    this.selfId = selfId;
    this.raft = raft;
    this.view = view;
    this.adminExecutor = adminExecutor;
  }

  ObjectNode status() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("id", selfId);
    RaftPeerId leader = raft.leader();
    if (leader == null) {
      o.putNull("leader");
    } else {
      o.put("leader", leader.toString());
    }
    RaftProtos.RaftPeerRole selfRole = null;
    try {
      RaftServer.Division d = raft.division();
      selfRole = d.getInfo().getCurrentRole();
      o.put("term", d.getInfo().getCurrentTerm());
      o.put("commitIndex", d.getRaftLog().getLastCommittedIndex());
    } catch (IOException e) {
      o.putNull("term");
      o.putNull("commitIndex");
    }
    o.put("appliedIndex", view.appliedIndex());
    o.put("revision", view.revision());
    o.put("services", view.size());
    ArrayNode members = o.putArray("members");
    try {
      RaftRuntime.Members m = raft.members();
      for (RaftPeer p : m.voters()) {
        addMember(members, p, p.getId().equals(leader) ? "leader" : "follower", selfRole);
      }
      for (RaftPeer p : m.listeners()) {
        addMember(members, p, "listener", selfRole);
      }
    } catch (IOException e) {
      LOG.debug("no raft configuration yet: {}", e.toString());
    }
    view.settings().ifPresent(s -> o.set("settings", settingsJson(s)));
    return o;
  }

  private void addMember(ArrayNode members, RaftPeer p, String role, RaftProtos.RaftPeerRole selfRole) {
    String id = p.getId().toString();
    ObjectNode n = members.addObject();
    n.put("id", id);
    if (id.equals(selfId) && selfRole == RaftProtos.RaftPeerRole.CANDIDATE) {
      role = "candidate";
    }
    n.put("role", role);
    n.put("raft", p.getAddress());
    NodeRecord rec = view.node(id);
    if (rec == null) {
      n.putNull("api");
      n.putNull("dns");
    } else {
      n.put("api", rec.apiEndpoint());
      n.put("dns", rec.dnsEndpoint());
    }
  }

  private static ObjectNode settingsJson(ClusterSettings s) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("vipCidr", s.vip4Pool().cidr());
    if (s.vip6Pool() == null) {
      o.putNull("vip6Cidr");
    } else {
      o.put("vip6Cidr", s.vip6Pool().cidr());
    }
    o.put("vipHoldDown", Duration.ofMillis(s.holdDownMillis()).toString());
    return o;
  }

  CompletableFuture<ObjectNode> add(String id, HostPort raftAddress, boolean listener) {
    return CompletableFuture.supplyAsync(() -> {
      RaftRuntime.Members current = members();
      if (current.contains(id)) {
        throw ApiException.conflict("conflict", "id", id + " is already a member");
      }
      List<RaftPeer> voters = new ArrayList<>(current.voters());
      List<RaftPeer> listeners = new ArrayList<>(current.listeners());
      RaftPeer peer = RaftPeer.newBuilder().setId(id).setAddress(raftAddress.toString()).build();
      (listener ? listeners : voters).add(peer);
      change(current, new RaftRuntime.Members(voters, listeners), "add " + id);
      return status();
    }, adminExecutor);
  }

  CompletableFuture<ObjectNode> remove(String id, java.util.function.Function<Command, ?> submitter) {
    return CompletableFuture.supplyAsync(() -> {
      RaftRuntime.Members current = members();
      if (!current.contains(id)) {
        throw ApiException.notFound(id + " is not a member");
      }
      List<RaftPeer> voters = current.voters().stream().filter(p -> !p.getId().toString().equals(id)).toList();
      List<RaftPeer> listeners = current.listeners().stream().filter(p -> !p.getId().toString().equals(id)).toList();
      if (voters.isEmpty()) {
        throw ApiException.invalid("id", "cannot remove the last voting member");
      }
      change(current, new RaftRuntime.Members(voters, listeners), "remove " + id);
      submitter.apply(new Command.RemoveNode(id));
      return status();
    }, adminExecutor);
  }

  private RaftRuntime.Members members() {
    try {
      return raft.members();
    } catch (IOException e) {
      throw ApiException.noQuorum("no Raft configuration on this node yet: " + e.getMessage());
    }
  }

  private void change(RaftRuntime.Members current, RaftRuntime.Members next, String what) {
    try {
      RaftClientReply reply = raft.setMembers(current, next);
      if (!reply.isSuccess()) {
        throw failure(what, reply.getException());
      }
      LOG.info("membership change done: {}", what);
    } catch (IOException e) {
      throw failure(what, e);
    }
  }

  private static ApiException failure(String what, Exception e) {
    if (e instanceof SetConfigurationException) {
      return ApiException.conflict("conflict", null, what + " refused: " + e.getMessage());
    }
    return ApiException.unknownOutcome(what + " may or may not have happened: " + e
        + "; check GET /v1/cluster");
  }
}
