package dev.quorumdns.node;

import dev.quorumdns.node.raft.RaftRuntime;
import java.io.IOException;
import java.time.Duration;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
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

  /** Sends one configuration change to the leader. */
  interface Send {
    RaftClientReply send() throws IOException;
  }

  /** Waits until the configuration asked for is the committed one; false if it is not. */
  interface CommittedCheck {
    boolean committed() throws IOException;
  }

  /** Asks the leader to hand its leadership to another voter. */
  interface HandOff {
    void handOff() throws IOException;
  }

  /**
   * Whether the leader, after the change failed, still replicates to a member the change would add
   * though its settled configuration does not list it: a log appender Ratis kept from before that
   * member's removal, which fails every addition of it.
   */
  interface StaleAppenderCheck {
    boolean staleAppender() throws IOException;
  }

  /**
   * One configuration change, and the only place that recognises a change found already done: a
   * refused compare-and-set whose configuration is already the one asked for (the Ratis client
   * resends a request that outlived its timeout to the next leader, and the resent one finds the
   * configuration changed by the first) is done once that configuration is committed. Otherwise a
   * refusal is thrown as {@link SetConfigurationException} and anything else as the {@link
   * IOException} that makes the outcome unknown.
   *
   * <p>A leader can also fail a change with an internal error that leaves it unable to change the
   * configuration at all while it leads: Ratis 3.3 kept a log appender for a member removed under
   * an earlier leader, so re-adding that member fails with "Found duplicated element", and the
   * failed attempt stays registered as the pending change, so every later attempt fails too (chaos
   * run short-5120: 90 s of refused re-adds, every 230 ms). A new leader builds its appenders from
   * the configuration, so such a failure hands the leadership to another voter ({@code wedged})
   * before it is thrown; the next attempt reaches a leader that can change the configuration.
   */
  static void change(Send send, CommittedCheck alreadyDone, HandOff wedged) throws IOException {
    change(send, alreadyDone, () -> false, wedged);
  }

  /**
   * As above; {@code stale} is also asked after any other failure, as the internal error does not
   * always reach the client in a form it can tell (extended chaos run 2024120701: 80 s of re-adds
   * refused by a leader holding such an appender, and no hand-off).
   */
  static void change(
      Send send, CommittedCheck alreadyDone, StaleAppenderCheck stale, HandOff wedged)
      throws IOException {
    RaftClientReply reply;
    try {
      reply = send.send();
    } catch (SetConfigurationException e) {
      if (alreadyDone.committed()) {
        return;
      }
      throw e;
    } catch (IOException e) {
      throw handedOffIfWedged(e, wedged, stale);
    }
    if (!reply.isSuccess()) {
      // A refusal never comes back as a reply: Ratis' client throws it (a reply cannot carry a
      // SetConfigurationException), which is the catch above.
      throw handedOffIfWedged(
          reply.getException() != null
              ? reply.getException()
              : new IOException("the leader answered without success and without a reason"),
          wedged,
          stale);
    }
  }

  /**
   * {@code failure}, after handing the leadership on if it is the leader's internal error (an
   * {@link IllegalStateException} in Ratis' leader, which reaches the client as its cause or, over
   * gRPC, in the message).
   */
  private static IOException handedOffIfWedged(
      IOException failure, HandOff wedged, StaleAppenderCheck stale) {
    boolean internal = causedBy(failure, IllegalStateException.class);
    boolean inProgress = causedBy(failure, ReconfigurationInProgressException.class);
    // A change still in progress (a slow catch-up of a big joiner) has an appender for its new
    // member too: only a leader that says nothing is in progress is asked.
    if (!internal && !inProgress) {
      try {
        internal = stale.staleAppender();
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
    if (!internal) {
      return failure;
    }
    IOException e =
        new IOException(
            "the leader failed the change with an internal error ("
                + failure.getMessage()
                + "); its leadership was handed to another voter: try again",
            failure);
    try {
      wedged.handOff();
    } catch (IOException | RuntimeException handOff) {
      e.addSuppressed(handOff);
    }
    return e;
  }

  /**
   * Whether {@code failure} or a cause is a {@code type}, or names it in its message (as an
   * exception from the leader does once it has crossed gRPC).
   */
  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t) || String.valueOf(t.getMessage()).contains(type.getSimpleName())) {
        return true;
      }
    }
    return false;
  }

  static RaftMembership of(RaftRuntime raft) {
    return new RaftMembership() {
      @Override
      public RaftPeerId leader() {
        return raft.leader();
      }

      @Override
      public State state() throws IOException {
        // Started: GET /v1/cluster on a joiner whose log Ratis had not opened answered 500 (chaos
        // run short-706500).
        RaftServer.Division d = raft.startedDivision();
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
        change(
            () -> raft.setMembers(current, next),
            () -> raft.awaitCommittedMembers(next, Duration.ofSeconds(5)),
            () -> raft.leaderKeepsStaleAppender(next),
            () -> raft.handOffLeadership(current));
      }
    };
  }
}
