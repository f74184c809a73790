package dev.quorumdns.node.raft;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Set;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.leader.FollowerInfo;

/**
 * Marks the members a leader feeds as caught up, as Ratis 3.3 does for voters only.
 *
 * <p>A leader stages a new member (catches it up) before the configuration that adds it, and once
 * the staging is done marks those of the new configuration's members caught up, but it asks only
 * for the voters: a member added as a listener stays "not caught up" for as long as that leader
 * leads. Every append to it then says {@code initializing}, so it stays in Ratis' STARTING state,
 * where it refuses votes (Ratis asserts RUNNING); promoted to voter by the autopilot, it is a voter
 * that cannot vote. CI rehearsal short-13348052: n5 joined as a listener and was promoted under n1;
 * with n4 removed, n1 lost its lease while it demoted n5 again (four voters), and in that joint
 * configuration an election needed three of n1, n2, n3, n5 with n5 answering every vote "not
 * RUNNING": no leader was elected for minutes while the nemeses paused and killed the others. A
 * member listed in the configuration is past its staging, so marking it is what Ratis does for
 * voters; a caught-up follower's acknowledgements also count for the commit at once, and a failed
 * staging no longer stops its appender (Ratis stops every appender not caught up).
 *
 * <p>{@code FollowerInfoImpl.catchUp()} is package-private in Ratis; it sets a volatile flag.
 */
final class ListenerCatchUp {
  /** Ratis' two package-private methods, looked up once per follower class (one per Ratis). */
  private record Accessors(Method isCaughtUp, Method catchUp) {}

  private static final ClassValue<Object> ACCESSORS =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
          try {
            Method isCaughtUp = type.getDeclaredMethod("isCaughtUp");
            isCaughtUp.setAccessible(true);
            Method catchUp = type.getDeclaredMethod("catchUp");
            catchUp.setAccessible(true);
            return new Accessors(isCaughtUp, catchUp);
          } catch (ReflectiveOperationException | RuntimeException e) {
            return e; // kept, so a Ratis without them is told on every call, not looked up again
          }
        }
      };

  private ListenerCatchUp() {}

  /**
   * Marks every follower in {@code fed} whose id is in {@code members} and is not caught up.
   *
   * @return how many it marked
   * @throws ReflectiveOperationException when this Ratis has no such methods (another version)
   */
  static int markMembers(Collection<FollowerInfo> fed, Set<RaftPeerId> members)
      throws ReflectiveOperationException {
    int marked = 0;
    for (FollowerInfo f : fed) {
      if (!members.contains(f.getId())) {
        continue;
      }
      Accessors a = accessors(f.getClass());
      if ((Boolean) a.isCaughtUp().invoke(f)) {
        continue;
      }
      a.catchUp().invoke(f);
      marked++;
    }
    return marked;
  }

  private static Accessors accessors(Class<?> type) throws ReflectiveOperationException {
    Object found = ACCESSORS.get(type);
    if (found instanceof Accessors a) {
      return a;
    }
    if (found instanceof ReflectiveOperationException e) {
      throw e;
    }
    throw (RuntimeException) found;
  }
}
