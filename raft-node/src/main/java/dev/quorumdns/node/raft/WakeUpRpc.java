package dev.quorumdns.node.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.server.GrpcLogAppender;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.util.AwaitForSignal;

/**
 * Ratis' gRPC transport, with one change: a leader's log appenders wait on a {@link WakeUpSignal},
 * so a new entry's wake-up is never lost and the entry goes to the follower at once rather than
 * with the next heartbeat. Ratis picks a transport by the class name under {@code raft.rpc.type}
 * ({@link RaftPropertiesFactory#server}) and builds each appender through the transport's factory;
 * an appender reaches its wake-up only through {@link GrpcLogAppender#getEventAwaitForSignal()},
 * which is what is overridden. The factory also hands the {@link CommitNudger} the appenders, whose
 * heartbeats carry the commit index. Everything else, TLS included, is {@link GrpcFactory}'s.
 */
public final class WakeUpRpc implements RpcType {
  /** Ratis makes the transport from its class name, through this constructor. */
  public WakeUpRpc() {}

  @Override
  public String name() {
    return WakeUpRpc.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new Factory(parameters);
  }

  /**
   * {@link GrpcFactory} whose log appenders wait on a {@link WakeUpSignal}, and which keeps the
   * newest appender to each follower for the {@link CommitNudger}. Thread-safe.
   */
  static final class Factory extends GrpcFactory {
    private final AtomicInteger appenders = new AtomicInteger();
    private final Map<RaftPeerId, LogAppender> newest = new ConcurrentHashMap<>();

    Factory(Parameters parameters) {
      super(parameters);
    }

    @Override
    public LogAppender newLogAppender(
        RaftServer.Division server, LeaderState state, FollowerInfo follower) {
      appenders.incrementAndGet();
      LogAppender appender =
          new GrpcLogAppender(server, state, follower) {
            private final WakeUpSignal wakeUp = new WakeUpSignal(follower.getName(), null);

            @Override
            public AwaitForSignal getEventAwaitForSignal() {
              return wakeUp;
            }
          };
      newest.put(follower.getId(), appender);
      return appender;
    }

    /**
     * The followers this server's running log appenders feed: while it leads, every follower and
     * listener; otherwise none.
     */
    List<CommitNudger.Follower> followers() {
      List<CommitNudger.Follower> out = new ArrayList<>(newest.size());
      for (LogAppender a : newest.values()) {
        if (a.isRunning()) {
          out.add(new Fed(a));
        }
      }
      return out;
    }

    /**
     * The running log appenders' followers ({@link FollowerInfo}): while this server leads, every
     * follower and listener it feeds; otherwise none.
     */
    List<FollowerInfo> fedInfos() {
      List<FollowerInfo> out = new ArrayList<>(newest.size());
      for (LogAppender a : newest.values()) {
        if (a.isRunning()) {
          out.add(a.getFollower());
        }
      }
      return out;
    }

    /** How many log appenders this factory has built (tests). */
    int appenders() {
      return appenders.get();
    }
  }

  /** A follower as its log appender sees it. */
  private record Fed(LogAppender appender) implements CommitNudger.Follower {
    @Override
    public Object id() {
      return appender.getFollowerId();
    }

    @Override
    public long matchIndex() {
      return appender.getFollower().getMatchIndex();
    }

    @Override
    public void heartbeat() {
      appender.triggerHeartbeat();
    }
  }
}
