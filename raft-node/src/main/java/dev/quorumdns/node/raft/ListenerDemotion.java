package dev.quorumdns.node.raft;

import java.lang.reflect.Method;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;

/**
 * Puts a member that its configuration lists as a listener, and not as a voter, in Ratis' LISTENER
 * role while Ratis left it a FOLLOWER.
 *
 * <p>Ratis 3.3 chooses the listener role only when a server starts; a configuration change promotes
 * a listener to follower but never demotes. A voter demoted to listener (the autopilot keeps the
 * voters odd) stays a FOLLOWER, and at its next election timeout, when its leader has gone, stands
 * as a candidate, finds itself among no configuration's voters and closes its division
 * (LeaderElection: NOT_IN_CONF, then shutdown). The node then stops as on a Raft error. Seen in a
 * CI rehearsal (seed 5811728): n3 demoted at 06:44:41, its leader n4 removed five seconds later, n3
 * closed and never came back.
 *
 * <p>The change is Ratis' own {@code setRole(LISTENER)}, the first half of what it does for a
 * server started as a listener, made under the division's monitor, where Ratis changes roles (its
 * election timer decides under it too). A listener's FollowerState keeps running and never stands
 * for election; a listener votes for no one. A later promotion is Ratis': a configuration that
 * lists a listener as a voter makes it a follower again.
 *
 * <p>Not while the configuration is joint and its old half still counts the member as a voter: an
 * election then needs a majority of the old voters too, and a member that votes for no one made it
 * need every other one (CI rehearsal 2045373: n4 took the listener role the moment its demotion
 * staged, the leader lost its lease in that joint configuration, and no leader was elected for 4.5
 * minutes). The member stays a follower until the change settles; an election timeout in that short
 * window still closes it, as in Ratis alone.
 */
final class ListenerDemotion {
  private ListenerDemotion() {}

  /**
   * Moves {@code self}'s division to the LISTENER role if its configuration lists it as a listener
   * and not as a voter while Ratis holds it a follower.
   *
   * @return whether it did
   * @throws ReflectiveOperationException when this Ratis has no such method (another version)
   */
  static boolean settle(RaftServer.Division d, RaftPeerId self)
      throws ReflectiveOperationException {
    if (!due(d, self)) {
      return false;
    }
    Method setRole = d.getClass().getDeclaredMethod("setRole", RaftPeerRole.class, Object.class);
    setRole.setAccessible(true);
    synchronized (d) {
      if (!due(d, self)) {
        return false;
      }
      setRole.invoke(d, RaftPeerRole.LISTENER, "listed as a listener (demoted)");
    }
    return true;
  }

  private static boolean due(RaftServer.Division d, RaftPeerId self) {
    RaftConfiguration conf = d.getRaftConf();
    return due(
        d.getInfo().getCurrentRole(),
        conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().anyMatch(p -> p.getId().equals(self)),
        conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().anyMatch(p -> p.getId().equals(self))
            || conf.getPreviousPeers(RaftPeerRole.FOLLOWER).stream()
                .anyMatch(p -> p.getId().equals(self)));
  }

  /**
   * Whether a member in {@code role}, listed so, must be moved to the listener role.
   *
   * @param listedAsVoter a voter in the configuration, or in the old half of a joint one
   */
  static boolean due(RaftPeerRole role, boolean listedAsListener, boolean listedAsVoter) {
    return role == RaftPeerRole.FOLLOWER && listedAsListener && !listedAsVoter;
  }
}
