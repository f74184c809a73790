package dev.quorumdns.node.autopilot;

import dev.quorumdns.node.raft.RaftRuntime;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * The autopilot's look at the members, read from this node's Ratis division when it leads.
 * Stateless.
 */
public final class RatisLook {
  private RatisLook() {}

  /** What the leader sees now, or null when this node does not lead (or is not ready to). */
  public static Autopilot.Look of(RaftRuntime raft) {
    RaftServer.Division d;
    try {
      d = raft.startedDivision();
    } catch (IOException e) {
      return null;
    }
    DivisionInfo info = d.getInfo();
    if (!info.isLeader() || !info.isLeaderReady()) {
      return null;
    }
    RaftConfiguration conf = d.getRaftConf();
    long commit = d.getRaftLog().getLastCommittedIndex();
    boolean stable =
        conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()
            && conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty()
            && conf.getLogEntryIndex() <= commit;
    // Both lists come from the leader's log appenders, in the same order.
    List<ServerRpcProto> followers = info.getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
    long[] match = info.getFollowerMatchIndices();
    if (followers.size() != match.length) {
      return null;
    }
    long last = d.getRaftLog().getNextIndex() - 1;
    Map<String, Long> contact = new HashMap<>();
    Map<String, Long> lag = new HashMap<>();
    for (int i = 0; i < followers.size(); i++) {
      String id = followers.get(i).getId().getId().toStringUtf8();
      contact.put(id, followers.get(i).getLastRpcElapsedTimeMs());
      lag.put(id, Math.max(0, last - match[i]));
    }
    return new Autopilot.Look(
        info.getRoleInfoProto().getSelf().getId().toStringUtf8(),
        ids(conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().toList()),
        ids(conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().toList()),
        contact,
        lag,
        stable);
  }

  private static List<String> ids(List<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).toList();
  }
}
