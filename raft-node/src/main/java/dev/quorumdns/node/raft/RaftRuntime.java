package dev.quorumdns.node.raft;

import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.PeerAddress;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
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

  private final NodeConfig config;
  private final RaftGroupId groupId;
  private final RaftPeerId selfId;
  private final RaftServer server;
  private final RegistryStateMachine stateMachine;
  private final LeaderTracker leader;
  private final WriteBatcher batcher;
  private final WriteSender sender;
  private final AppliedWaiters appliedWaiters;
  private final CommitNudger nudger;

  /** Log entries a node keeps in flight before further writes are grouped into one entry. */
  static final int MAX_ENTRIES_IN_FLIGHT = 2;

  static final int MAX_GROUP = 1000;
  private final AtomicReference<RaftClient> client = new AtomicReference<>();
  private Set<String> clientPeers = Set.of();

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

  /** The first failure to write the Raft log, or null; see {@link #logFailure}. */
  private volatile String logFailure;

  /** The members last handed to the listener; written under this, read anywhere. */
  private volatile Members known;

  /** Whether a configuration handed to the listener listed this node. */
  private volatile boolean wasMember;

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

          @Override
          public void logFailed(Throwable cause, long index) {
            if (logFailure == null) {
              logFailure = (index < 0 ? "a segment" : "entry " + index) + ": " + rootMessage(cause);
              LOG.error("the Raft log could not be written ({})", logFailure, cause);
            }
          }
        };
    List<RaftPeer> initial = new ArrayList<>();
    for (PeerAddress p : config.peers()) {
      initial.add(peer(p.id(), p.endpoint(), false));
    }
    RaftGroup group = RaftGroup.valueOf(groupId, initial);
    Path groupDir = config.raftDir().resolve(groupId.getUuid().toString());
    LOG.info(
        "raft storage at start: {}; registry at applied index {}",
        UnfinishedInstall.describe(groupDir),
        registry.view().appliedIndex());
    if (registry.view().appliedIndex() == 0) {
      UnfinishedInstall.forgetConfiguration(groupDir)
          .ifPresent(
              was ->
                  LOG.warn(
                      "this node stopped during a snapshot install, before a file of it was in"
                          + " place: forgetting the configuration that install had written ({}),"
                          + " so it waits to be added again instead of campaigning with it",
                      was));
    }
    this.stateMachine = new RegistryStateMachine(registry, clock, events);
    this.appliedWaiters = new AppliedWaiters(writeExecutor);
    stateMachine.bindAppliedWaiters(appliedWaiters);
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

  /**
   * The highest commit index this node has heard of from a leader since it started: on a follower
   * the leader's, which every append carries (with its followers'); on the leader its own. 0 before
   * a follower heard its first append, and while Ratis has no log to ask (it is starting, or failed
   * to start on a damaged log: Ratis then throws IllegalStateException "log is uninitialized",
   * which must not reach the DNS queries that ask this through the fill gate).
   *
   * <p>A follower's own entry is left out: after a restart it is the commit index recovered from
   * its own log, and a replica that took it for its leader's counted itself filled at once and
   * denied names registered while it was down (extended chaos run 7352313, kill scenario: 100 of
   * 109 wrong NXDOMAIN answers came from nodes restarted less than 15 s before).
   */
  public long leaderCommitIndex() {
    try {
      RaftServer.Division d = division();
      if (d.getInfo().isLeader()) {
        return d.getRaftLog().getLastCommittedIndex();
      }
      String self = selfId.toString();
      return d.getCommitInfos().stream()
          .filter(c -> !c.getServer().getId().toStringUtf8().equals(self))
          .mapToLong(RaftProtos.CommitInfoProto::getCommitIndex)
          .max()
          .orElse(0);
    } catch (IOException | IllegalStateException e) {
      return 0;
    }
  }

  /**
   * {@link #leaderCommitIndex}, but only once this node has heard from its leader (or, leading,
   * from a majority) after {@code sinceNanos} ({@link System#nanoTime}); 0 before. For a replica
   * that stood still: what it knew of its leader's commit index is as old as the stall.
   */
  public long leaderCommitIndexHeardSince(long sinceNanos) {
    long sinceMillis = (System.nanoTime() - sinceNanos) / 1_000_000;
    try {
      RaftServer.Division d = division();
      if (d.getInfo().isLeader()) {
        return heardFromMajorityWithin(Duration.ofMillis(sinceMillis)) ? leaderCommitIndex() : 0;
      }
      // A listener cannot tell (Ratis reports 0 ms since its leader's last message): it takes the
      // commit index it knows, as a restarted listener does.
      return heardLeaderWithin(d.getInfo().getRoleInfoProto(), sinceMillis)
          ? leaderCommitIndex()
          : 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Whether this node, a follower, had a message from its leader (entries, a heartbeat, a snapshot
   * chunk) less than {@code within} ago. False for a leader, a candidate and a listener (Ratis
   * reports 0 ms since a listener's last message whatever happened).
   */
  public boolean leaderInContactWithin(Duration within) {
    try {
      var info = division().getInfo();
      return info.isFollower() && heardLeaderWithin(info.getRoleInfoProto(), within.toMillis());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether {@code role} says its leader's last message came less than {@code millis} ago. */
  private static boolean heardLeaderWithin(RaftProtos.RoleInfoProto role, long millis) {
    return role.hasFollowerInfo()
        && role.getFollowerInfo().hasLeaderInfo()
        && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() < millis;
  }

  /**
   * What made the Raft log unwritable (which entry, and the root cause), or null while it is fine.
   * Once set, Ratis writes to this log no more in this process (its log worker fails every later
   * write: a full disk stays "full" after space returns), so this node can only stop.
   */
  public String logFailure() {
    return logFailure;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
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
    if (now.contains(config.id())) {
      wasMember = true;
    }
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
   * A linearizable read barrier through this node: completes (with a log index) once this replica
   * has applied everything committed before the call, or exceptionally if there is no quorum. It is
   * a {@link Command.ReadBarrier} entry through the log (grouped with other writes in flight), then
   * a wait until this replica applied it: only a leader of the current term can commit the entry,
   * so an isolated leader that still believes it leads fails the read instead of answering from old
   * state (see {@link Command.ReadBarrier} for why Ratis' read index is not used).
   */
  public CompletableFuture<Long> readBarrier(Duration timeout) {
    return submit(new Command.ReadBarrier())
        .thenCompose(
            r -> {
              if (r instanceof WriteResult.Applied a
                  && a.outcome() instanceof Outcome.BarrierPassed passed) {
                return appliedWaiters.await(passed.index());
              }
              String why =
                  r instanceof WriteResult.NotSent n
                      ? n.reason()
                      : r instanceof WriteResult.Unknown u ? u.reason() : String.valueOf(r);
              return CompletableFuture.<Long>failedFuture(
                  new IllegalStateException("read barrier not committed: " + why));
            })
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Has {@code handler} answer the read-only requests it accepts, on this node when it leads. */
  public void setReadOnlyRequests(ReadOnlyRequests handler) {
    stateMachine.setReadOnlyRequests(handler);
  }

  /**
   * Sends a read-only request to the leader this node knows of (waiting for one as a write does),
   * which answers it through {@link ReadOnlyRequests} once a linearizable read index confirmed it
   * still leads. Addressed to that member by id, and moved to the next leader as soon as one is
   * elected, as a write is ({@link WriteSender#ask}). Fails if no leader answers within {@code
   * timeout}.
   */
  public CompletableFuture<byte[]> askLeader(byte[] request, Duration timeout) {
    return sender.ask(request, timeout);
  }

  /**
   * Whether this node leads and a majority of the voters (itself included) answered it within
   * {@code within}: a leader cut off from the majority stops passing this before the followers can
   * have elected another one (they wait at least an election timeout after the last message they
   * took from it), when {@code within} is well under an election timeout.
   */
  public boolean heardFromMajorityWithin(Duration within) {
    try {
      RaftServer.Division d = division();
      var role = d.getInfo().getRoleInfoProto();
      if (!d.getInfo().isLeader() || !role.hasLeaderInfo()) {
        return false;
      }
      Set<String> voters = new HashSet<>();
      for (RaftPeer p : d.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER)) {
        voters.add(p.getId().toString());
      }
      int fresh = voters.contains(selfId.toString()) ? 1 : 0;
      for (var f : role.getLeaderInfo().getFollowerInfoList()) {
        if (voters.contains(f.getId().getId().toStringUtf8())
            && f.getLastRpcElapsedTimeMs() < within.toMillis()) {
          fresh++;
        }
      }
      return fresh > voters.size() / 2;
    } catch (IOException | RuntimeException e) {
      return false;
    }
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

  /**
   * Whether this node was removed from the cluster without being told: it was a member, it is a
   * listener, has heard nothing from a leader for {@code quiet} or holds a configuration without
   * itself, and the leader, found by asking the members it knows, holds a settled configuration
   * without it (a configuration in this node's log may be one the leader never committed: the
   * leader's answer decides). Ratis tells a removed voter when it campaigns (the leader answers
   * "shut down"); a removed listener never campaigns, and holds the entry that removes it without
   * learning that it was committed, so Ratis neither applies it there nor closes the division
   * (chaos run short-706500, ListenerRemovalIT: it kept serving a replica nobody updated). Blocks
   * for up to a Ratis client call per member; no call on a voter that hears its leader.
   */
  public boolean removedWithoutNotice(Duration quiet) {
    try {
      RaftServer.Division d = division();
      Members mine = members();
      RaftClient c = client.get();
      if (d.getInfo().isLeader() || !wasMember || c == null) {
        return false; // leading, never a member yet (a joiner waiting to be added), or no client
      }
      // A listener runs no election timer, so Ratis reports 0 ms since its leader's last message
      // whatever the truth (and its role as FOLLOWER when it joined as one): a listener asks every
      // time, a voter only when its leader went quiet.
      var role = d.getInfo().getRoleInfoProto();
      Members last = known;
      boolean listener =
          last != null && last.listeners().stream().anyMatch(p -> p.getId().equals(selfId))
              || role.getRole() == RaftPeerRole.LISTENER;
      boolean heard =
          role.hasFollowerInfo()
              && role.getFollowerInfo().hasLeaderInfo()
              && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs()
                  < quiet.toMillis();
      if (!listener && heard && mine.contains(config.id())) {
        return false;
      }
      return leaderListsSelf(mine, c).map(listed -> !listed).orElse(false);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether this node's Raft division was closed because the leader holds a settled configuration
   * without it: Ratis' leader answers a campaign from a node outside its configuration with "shut
   * down", and the node then stops. Asked after the division closed, so it reads only the members
   * this node knew and asks them; empty when no leader answered. A joiner killed before its
   * addition completed restarts with a configuration that lists it (from the snapshot or entries it
   * had received), campaigns, and is shut down so (extended chaos run 5897961): removed, not
   * failed.
   */
  public Optional<Boolean> removedByLeader() {
    Members last = known;
    RaftClient c = client.get();
    if (last == null || c == null) {
      return Optional.empty();
    }
    return leaderListsSelf(last, c).map(listed -> !listed);
  }

  /**
   * Asks the members in {@code ask}, the last known leader first, for the leader's configuration:
   * whether a settled one lists this node; empty when no leader answered or its configuration is
   * changing. Blocks for up to a Ratis client call per member.
   */
  private Optional<Boolean> leaderListsSelf(Members ask, RaftClient c) {
    // The leader this node last knew first: a dead member's call can take the client's timeout.
    RaftPeerId lastLeader = leader();
    List<RaftPeer> peers =
        Stream.concat(ask.voters().stream(), ask.listeners().stream())
            .sorted(Comparator.comparing((RaftPeer p) -> !p.getId().equals(lastLeader)))
            .toList();
    for (RaftPeer p : peers) {
      if (p.getId().equals(selfId)) {
        continue;
      }
      GroupInfoReply info;
      try {
        info = c.getGroupManagementApi(p.getId()).info(groupId);
      } catch (IOException | RuntimeException e) {
        continue;
      }
      if (info.getRoleInfoProto().getRole() != RaftPeerRole.LEADER || info.getConf().isEmpty()) {
        continue;
      }
      RaftProtos.RaftConfigurationProto conf = info.getConf().get();
      if (conf.getOldPeersCount() != 0 || conf.getOldListenersCount() != 0) {
        return Optional.empty();
      }
      return Optional.of(
          Stream.concat(conf.getPeersList().stream(), conf.getListenersList().stream())
              .anyMatch(peer -> peer.getId().toStringUtf8().equals(config.id())));
    }
    return Optional.empty();
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

  /**
   * Asks the leader to hand its leadership to a voter of {@code current} other than itself, and
   * waits (up to an election timeout's worth of rounds) until it did. For a leader that can no
   * longer change the configuration ({@code RaftMembership#change}).
   */
  public void handOffLeadership(Members current) throws IOException {
    RaftClient c = client.get();
    RaftPeerId l = leader();
    if (c == null || l == null) {
      throw new IOException("no leader to hand off from");
    }
    RaftPeer target =
        current.voters().stream()
            .filter(p -> !p.getId().equals(l))
            .findFirst()
            .orElseThrow(() -> new IOException("no other voter to hand the leadership to"));
    LOG.warn(
        "the leader {} cannot change the configuration any more; handing its leadership to {}",
        l,
        target.getId());
    RaftClientReply r =
        c.admin().transferLeadership(target.getId(), leaderWait.multipliedBy(2).toMillis());
    if (!r.isSuccess()) {
      throw r.getException() != null
          ? r.getException()
          : new IOException("leadership transfer to " + target.getId() + " failed");
    }
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
