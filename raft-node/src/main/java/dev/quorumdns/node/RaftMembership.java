package dev.quorumdns.node;

import dev.quorumdns.node.raft.RaftRuntime;
import java.io.IOException;
import java.time.Duration;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.server.RaftServer;

/**
 * What {@link ClusterOps} needs from Raft: this node's view of the leader, its own role, term and
 * commit index, and the configuration, which it may change. {@link #of} adapts a {@link
 * RaftRuntime}; tests use a fake. Implementations are thread-safe.
 */
interface RaftMembership {
  /** The leader this node knows of, or null. */
  RaftPeerId leader();

  /** This node's role, term and commit index; throws when Raft is not running. */
  State state() throws IOException;

  /** The current voters and listeners; throws when this node has no configuration yet. */
  RaftRuntime.Members members() throws IOException;

  /**
   * Changes the configuration from {@code current} to {@code next}. Blocks until done; throws a
   * {@link org.apache.ratis.protocol.exceptions.SetConfigurationException} when it was refused (the
   * configuration changed meanwhile) and another {@link IOException} when the outcome is not known.
   */
  void setMembers(RaftRuntime.Members current, RaftRuntime.Members next) throws IOException;

  /** A division's role, term and commit index. Immutable. */
  record State(RaftPeerRole role, long term, long commitIndex) {}

  static RaftMembership of(RaftRuntime raft) {
    return new RaftMembership() {
      @Override
      public RaftPeerId leader() {
        return raft.leader();
      }

      @Override
      public State state() throws IOException {
        RaftServer.Division d = raft.division();
        return new State(
            d.getInfo().getCurrentRole(),
            d.getInfo().getCurrentTerm(),
            d.getRaftLog().getLastCommittedIndex());
      }

      @Override
      public RaftRuntime.Members members() throws IOException {
        return raft.members();
      }

      @Override
      public void setMembers(RaftRuntime.Members current, RaftRuntime.Members next)
          throws IOException {
        RaftClientReply reply;
        try {
          reply = raft.setMembers(current, next);
        } catch (SetConfigurationException e) {
          if (alreadyDone(next)) {
            return;
          }
          throw e;
        }
        if (!reply.isSuccess()) {
          if (reply.getException() instanceof SetConfigurationException && alreadyDone(next)) {
            return;
          }
          throw reply.getException() != null
              ? reply.getException()
              : new IOException("the leader answered without success and without a reason");
        }
      }

      /**
       * A refused compare-and-set whose configuration is already {@code next}: the Ratis client
       * resends a request that outlived its timeout, and the resent one finds the configuration
       * changed by the first. Done, once that configuration is committed.
       */
      private boolean alreadyDone(RaftRuntime.Members next) throws IOException {
        return raft.awaitCommittedMembers(next, Duration.ofSeconds(5));
      }
    };
  }
}
