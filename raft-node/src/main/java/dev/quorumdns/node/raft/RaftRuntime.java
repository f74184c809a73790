package dev.quorumdns.node.raft;

import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.PeerAddress;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Ratis server and its client to the group: submits commands, runs read barriers,
 * reports the Raft view of the cluster and changes its membership.
 *
 * <p>Thread-safe. Writes hold no thread while they wait ({@link WriteSender}); their results are
 * completed on {@code writeExecutor} within the configured write timeout, as {@link
 * WriteResult.Unknown} if Ratis has not answered by then.
 */
public final class RaftRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftRuntime.class);
  private static final Message BARRIER = Message.valueOf("barrier");

  private final NodeConfig config;
  private final RaftGroupId groupId;
  private final RaftPeerId selfId;
  private final RaftServer server;
  private final RegistryStateMachine stateMachine;
  private final LeaderTracker leader;
  private final WriteBatcher batcher;
  private final WriteSender sender;
  private final CommitNudger nudger;

  /** Log entries a node keeps in flight before further writes are grouped into one entry. */
  static final int MAX_ENTRIES_IN_FLIGHT = 2;

  static final int MAX_GROUP = 1000;
  private final AtomicReference<RaftClient> client = new AtomicReference<>();
  private Set<String> clientPeers = Set.of();

  /**
   * Whether this node is in the group its client was built for (a removed node is not: it cannot
   * read through it).
   */
  private volatile boolean clientHasSelf;

  private final ExecutorService writeExecutor;
  private final Duration leaderWait;
  private final RaftMembershipListener membershipListener;
  private final Parameters tlsParameters;
  private volatile WriteStages stages = WriteStages.unbound();
  private volatile boolean closed;

  /** Small periodic and delayed tasks: commit nudges, refreshing Ratis' timers. */
  private final ScheduledExecutorService raftTasks =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "quorumdns-raft-tasks");
            t.setDaemon(true);
            return t;
          });

  /**
   * Hears about Raft events the node runtime acts upon. Called on Ratis threads; must not block.
   */
  public interface RaftMembershipListener {
    void leaderChanged(RaftPeerId leader);

    void leaderReady();

    /**
     * The voters or listeners changed (ids or addresses, compared by value): called once per
     * change, in order, never for the same members twice in a row. The node learns its members only
     * here.
     */
    void membersChanged(List<RaftPeer> voters, List<RaftPeer> listeners);
  }

  /**
   * Read-only requests other than the read barrier, answered by the leader after a linearizable
   * read index (so only while it leads, with every committed entry applied). Called on Ratis
   * threads; must not block.
   */
  public interface ReadOnlyRequests {
    /** True if {@code request} is one of these (and not a read barrier). */
    boolean accepts(byte[] request);

    byte[] answer(byte[] request);
  }

  /** The members last handed to the listener; guarded by this. */
  private Members known;

  public RaftRuntime(
      NodeConfig config,
      Registry registry,
      Clock clock,
      ExecutorService writeExecutor,
      SizeInBytes segmentSize,
      RaftMembershipListener listener)
      throws IOException {
    this(config, registry, clock, writeExecutor, segmentSize, listener, null);
  }

  /**
   * @param tls mutual TLS for every Raft channel of this node (server and client), or null for
   *     plain gRPC
   */
  public RaftRuntime(
      NodeConfig config,
      Registry registry,
      Clock clock,
      ExecutorService writeExecutor,
      SizeInBytes segmentSize,
      RaftMembershipListener listener,
      GrpcTlsConfig tls)
      throws IOException {
    this.tlsParameters = RaftPropertiesFactory.parameters(tls);
    this.config = config;
    this.groupId =
        RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes(
                ("quorumdns/" + config.cluster()).getBytes(StandardCharsets.UTF_8)));
    this.selfId = RaftPeerId.valueOf(config.id());
    this.writeExecutor = writeExecutor;
    this.leaderWait = config.electionTimeout().multipliedBy(3);
    this.membershipListener = listener;
    this.leader = new LeaderTracker(this::liveLeader);
    this.batcher =
        new WriteBatcher(this::submitEntry, MAX_ENTRIES_IN_FLIGHT, MAX_GROUP, t -> stages.queue(t));
    RaftEvents events =
        new RaftEvents() {
          @Override
          public void leaderChanged(RaftPeerId newLeader) {
            leader.elected(newLeader);
            membershipListener.leaderChanged(newLeader);
            refreshMembers();
          }

          @Override
          public void leaderReady() {
            membershipListener.leaderReady();
          }

          @Override
          public void appliedAsLeader(long index) {
            nudger.nudge(index);
          }

          @Override
          public void configurationChanged(List<RaftPeer> voters, List<RaftPeer> listeners) {
            membersMaybeChanged(new Members(voters, listeners));
          }
        };
    List<RaftPeer> initial = new ArrayList<>();
    for (PeerAddress p : config.peers()) {
      initial.add(peer(p.id(), p.endpoint(), false));
    }
    RaftGroup group = RaftGroup.valueOf(groupId, initial);
    this.stateMachine = new RegistryStateMachine(registry, clock, events);
    this.server =
        RaftServer.newBuilder()
            .setServerId(selfId)
            .setGroup(group)
            .setStateMachine(stateMachine)
            .setProperties(RaftPropertiesFactory.server(config, segmentSize))
            .setParameters(tlsParameters)
            .setOption(RaftStorage.StartupOption.RECOVER)
            .build();
    this.sender =
        new WriteSender(
            selfId,
            groupId,
            server,
            client::get,
            leader,
            leaderWait,
            config.writeTimeout(),
            writeExecutor);
    this.nudger = new CommitNudger(selfId, groupId, server, this::followerMatchIndices, raftTasks);
    rebuildClient(initial, List.of());
  }

  static RaftPeer peer(String id, String address, boolean listener) {
    RaftPeer.Builder b = RaftPeer.newBuilder().setId(id).setAddress(address);
    if (listener) {
      b.setStartupRole(RaftProtos.RaftPeerRole.LISTENER);
    }
    return b.build();
  }

  public void start() throws IOException {
    server.start();
    LOG.info("raft server {} started on port {} in group {}", selfId, config.raftPort(), groupId);
    refreshMembers();
  }

  /**
   * Puts this node's write-stage timers ({@link WriteStages}) into {@code meters}, and Ratis' own
   * timers too when {@link RatisTimers} is switched on.
   */
  void bindMeters(MeterRegistry meters) {
    stages = new WriteStages(meters);
    stateMachine.bindStages(stages);
    if (RatisTimers.enabled()) {
      RatisTimers timers = new RatisTimers(meters);
      raftTasks.scheduleWithFixedDelay(timers::refresh, 0, 5, TimeUnit.SECONDS);
    }
  }

  public RaftPeerId selfId() {
    return selfId;
  }

  public RaftServer.Division division() throws IOException {
    return server.getDivision(groupId);
  }

  /** The leader this node knows of, or null. */
  public RaftPeerId leader() {
    return leader.leader();
  }

  /** How far each follower's log is known to match the leader's; empty unless this node leads. */
  private long[] followerMatchIndices() {
    try {
      return server.getDivision(groupId).getInfo().getFollowerMatchIndices();
    } catch (IOException | RuntimeException e) {
      return new long[0];
    }
  }

  private RaftPeerId liveLeader() {
    try {
      return server.getDivision(groupId).getInfo().getLeaderId();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  public long leaderChanges() {
    return leader.changes();
  }

  /**
   * Reads the members from the Raft configuration, which survives restarts and may differ from the
   * peers this node was started with: Ratis notifies configurations it applies, not the one it
   * loads from its log at start.
   */
  private void refreshMembers() {
    try {
      membersMaybeChanged(members());
    } catch (IOException e) {
      LOG.debug("no raft configuration to read yet: {}", e.toString());
    }
  }

  /**
   * The one path of membership into this node (Ratis' configuration notices, and the configuration
   * read at start and on a leader change): a change, by value, rebuilds the client and reaches the
   * listener; the same members again do nothing.
   */
  private synchronized void membersMaybeChanged(Members now) {
    if (now.sameAs(known)) {
      return;
    }
    known = now;
    rebuildClient(now.voters(), now.listeners());
    membershipListener.membersChanged(now.voters(), now.listeners());
  }

  private synchronized void rebuildClient(List<RaftPeer> voters, List<RaftPeer> listeners) {
    List<RaftPeer> all = new ArrayList<>(voters);
    all.addAll(listeners);
    if (all.isEmpty()) {
      return; // A joining node has no client until the leader sends it a configuration.
    }
    Set<String> wanted = new HashSet<>();
    all.forEach(p -> wanted.add(p.getId() + "=" + p.getAddress()));
    if (wanted.equals(clientPeers)) {
      return;
    }
    clientPeers = wanted;
    clientHasSelf = all.stream().anyMatch(p -> p.getId().equals(selfId));
    long attempts = Math.max(3, config.writeTimeout().toMillis() / 100);
    RetryPolicy retry =
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            (int) attempts, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
    RaftClient fresh =
        RaftClient.newBuilder()
            .setRaftGroup(RaftGroup.valueOf(groupId, all))
            .setProperties(RaftPropertiesFactory.client(config.writeTimeout().dividedBy(2)))
            .setParameters(tlsParameters)
            .setRetryPolicy(retry)
            .build();
    RaftClient old = client.getAndSet(fresh);
    if (old != null) {
      // Requests in flight on the old client keep it busy until they end; close it once they have.
      CompletableFuture.delayedExecutor(config.writeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)
          .execute(() -> closeQuietly(old));
    }
  }

  /**
   * Sends a command to the leader, grouped with others into one log entry when entries are already
   * in flight ({@link WriteBatcher}). Ends as {@link WriteResult.NotSent} if no leader is known
   * (nothing was sent), {@link WriteResult.Applied} with the registry's outcome, or {@link
   * WriteResult.Unknown}.
   */
  public CompletableFuture<WriteResult> submit(Command command) {
    return batcher.submit(command);
  }

  /** Sends one log entry (a single command or a group) and times its trip through Raft. */
  private CompletableFuture<WriteResult> submitEntry(Command command) {
    long start = System.nanoTime();
    return sender.send(command).whenComplete((r, e) -> stages.raft(start));
  }

  /**
   * A linearizable read barrier through this node: completes once this replica has applied
   * everything committed before the call, or exceptionally if there is no quorum.
   */
  public CompletableFuture<Long> readBarrier(Duration timeout) {
    RaftClient c = client.get();
    if (c == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("this node is not a member of a cluster yet"));
    }
    if (!clientHasSelf) {
      // Asked of Ratis, this fails inside its client ("Server ... not found", logged as an ERROR).
      return CompletableFuture.failedFuture(
          new IllegalStateException("this node is not in the cluster's current configuration"));
    }
    return c.async()
        .sendReadOnlyUnordered(BARRIER, selfId)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            reply -> {
              if (!reply.isSuccess()) {
                throw new IllegalStateException("read barrier failed: " + reply.getException());
              }
              return reply.getMessage().getContent().asReadOnlyByteBuffer().getLong();
            });
  }

  /** Has {@code handler} answer the read-only requests it accepts, on this node when it leads. */
  public void setReadOnlyRequests(ReadOnlyRequests handler) {
    stateMachine.setReadOnlyRequests(handler);
  }

  /**
   * Sends a read-only request to the leader this node knows of (waiting for one as a write does),
   * which answers it through {@link ReadOnlyRequests} once a linearizable read index confirmed it
   * still leads. Addressed to that member by id: the Ratis client's own guess of the leader is not
   * used, since a follower would serve a read-only request itself (a follower read) and the client
   * would never learn it was wrong. Fails if no leader is known or none answers within {@code
   * timeout}.
   */
  public CompletableFuture<byte[]> askLeader(byte[] request, Duration timeout) {
    RaftClient c = client.get();
    if (c == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("this node is not a member of a cluster yet"));
    }
    return leader
        .await(leaderWait)
        .thenCompose(
            l -> {
              if (l == null) {
                return CompletableFuture.failedFuture(
                    new IllegalStateException(
                        "no leader known within " + leaderWait.toMillis() + " ms (no quorum?)"));
              }
              return c.async()
                  .sendReadOnlyUnordered(Message.valueOf(ByteString.copyFrom(request)), l);
            })
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(
            reply -> {
              if (!reply.isSuccess()) {
                throw new IllegalStateException(
                    "the leader did not answer: " + reply.getException());
              }
              return reply.getMessage().getContent().toByteArray();
            });
  }

  /**
   * The term this node leads in, once it has committed an entry of that term; -1 when it does not
   * lead.
   */
  public long leadingTerm() {
    try {
      var info = division().getInfo();
      return info.isLeader() && info.isLeaderReady() ? info.getCurrentTerm() : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * A snapshot on disk: the term and index of its last entry and its directory (a RocksDB
   * checkpoint).
   */
  public record Snapshot(long term, long index, Path directory) {}

  /**
   * Takes a snapshot of this node's replica now (for backups) and returns where it is. Blocks until
   * it is written.
   */
  public Snapshot snapshot(Duration timeout) throws IOException {
    RaftClient c = client.get();
    if (c == null) {
      throw new IOException("this node is not a member of a cluster yet");
    }
    RaftClientReply reply = c.getSnapshotManagementApi(selfId).create(1, timeout.toMillis());
    if (!reply.isSuccess()) {
      throw new IOException("snapshot failed: " + reply.getException());
    }
    CheckpointStorage.Latest latest = stateMachine.latestCheckpoint();
    if (latest == null) {
      throw new IOException(
          "snapshot reported at index " + reply.getLogIndex() + " but none is on disk");
    }
    return new Snapshot(latest.info().getTerm(), latest.info().getIndex(), latest.dir());
  }

  /** Current voters and listeners. */
  public Members members() throws IOException {
    var conf = division().getRaftConf();
    return new Members(
        List.copyOf(conf.getCurrentPeers(RaftProtos.RaftPeerRole.FOLLOWER)),
        List.copyOf(conf.getCurrentPeers(RaftProtos.RaftPeerRole.LISTENER)));
  }

  /**
   * Whether {@code next} is, or within {@code timeout} becomes, this division's configuration:
   * stable (not a joint one) and committed. Blocks, polling every 50 ms.
   */
  public boolean awaitCommittedMembers(Members next, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      RaftServer.Division d = division();
      var conf = d.getRaftConf();
      Members held =
          new Members(
              List.copyOf(conf.getCurrentPeers(RaftProtos.RaftPeerRole.FOLLOWER)),
              List.copyOf(conf.getCurrentPeers(RaftProtos.RaftPeerRole.LISTENER)));
      if (!held.sameAs(next)) {
        return false;
      }
      if (conf.getPreviousPeers().isEmpty()
          && conf.getLogEntryIndex() <= d.getRaftLog().getLastCommittedIndex()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for the configuration to commit", e);
      }
    }
  }

  /** Voters and listeners of a configuration. Immutable. */
  public record Members(List<RaftPeer> voters, List<RaftPeer> listeners) {
    public boolean contains(String id) {
      return voters.stream().anyMatch(p -> p.getId().toString().equals(id))
          || listeners.stream().anyMatch(p -> p.getId().toString().equals(id));
    }

    /** The same voters and listeners (ids and addresses), in any order; false for null. */
    public boolean sameAs(Members other) {
      return other != null
          && endpoints(voters).equals(endpoints(other.voters))
          && endpoints(listeners).equals(endpoints(other.listeners));
    }

    private static Set<String> endpoints(List<RaftPeer> peers) {
      Set<String> out = new HashSet<>();
      peers.forEach(p -> out.add(p.getId() + "=" + p.getAddress()));
      return out;
    }
  }

  /**
   * Changes membership from {@code current} to {@code next}, failing if it changed meanwhile.
   * Blocks.
   */
  public RaftClientReply setMembers(Members current, Members next) throws IOException {
    RaftClient c = client.get();
    if (c == null) {
      throw new IOException(
          "this node is not a member of a cluster yet; send the change to a member");
    }
    return c.admin()
        .setConfiguration(
            SetConfigurationRequest.Arguments.newBuilder()
                .setServersInCurrentConf(current.voters())
                .setListenersInCurrentConf(current.listeners())
                .setServersInNewConf(next.voters())
                .setListenersInNewConf(next.listeners())
                .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                .build());
  }

  /** True once {@link #close} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Asks the cluster whose configuration is {@code current} to add this node, at {@code
   * raftAddress}, as a listener: a compare-and-set on that configuration, sent through a client of
   * its members (a joining node has none of its own yet). Blocks; the reply says whether it was
   * done.
   */
  public RaftClientReply askToJoin(Members current, String raftAddress) throws IOException {
    List<RaftPeer> all = new ArrayList<>(current.voters());
    all.addAll(current.listeners());
    List<RaftPeer> listeners = new ArrayList<>(current.listeners());
    listeners.add(peer(selfId.toString(), raftAddress, true));
    try (RaftClient c =
        RaftClient.newBuilder()
            .setRaftGroup(RaftGroup.valueOf(groupId, all))
            .setProperties(RaftPropertiesFactory.client(config.writeTimeout().dividedBy(2)))
            .setParameters(tlsParameters)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    5, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
            .build()) {
      return c.admin()
          .setConfiguration(
              SetConfigurationRequest.Arguments.newBuilder()
                  .setServersInCurrentConf(current.voters())
                  .setListenersInCurrentConf(current.listeners())
                  .setServersInNewConf(current.voters())
                  .setListenersInNewConf(listeners)
                  .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                  .build());
    }
  }

  @Override
  public void close() {
    closed = true;
    raftTasks.shutdownNow();
    try {
      server.close();
    } catch (IOException e) {
      LOG.warn("raft server {} did not close cleanly: {}", selfId, e.toString());
    }
    RaftClient c = client.getAndSet(null);
    if (c != null) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(RaftClient c) {
    try {
      c.close();
    } catch (IOException e) {
      LOG.debug("closing a raft client: {}", e.toString());
    }
  }
}
