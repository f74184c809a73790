package dev.quorumdns.node.raft;

import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.PeerAddress;
import dev.quorumdns.node.runtime.DaemonThreads;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
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
  private volatile Set<RaftPeerId> clientPeerIds = Set.of();

  private final ExecutorService writeExecutor;
  private final Duration leaderWait;
  private final RaftMembershipListener membershipListener;
  private final Parameters tlsParameters;
  private volatile WriteStages stages = WriteStages.unbound();
  private volatile boolean closed;

  /** Small periodic and delayed tasks: commit nudges, refreshing Ratis' timers. */
  private final ScheduledExecutorService raftTasks =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("raft-tasks"));

  /** Leadership hand-offs asked by {@link #watchAppenders}: they block for up to seconds. */
  private final ExecutorService handOffs =
      Executors.newSingleThreadExecutor(DaemonThreads.named("raft-handoff"));

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

  /**
   * The first failure to write the Raft log (which entry, and the root cause), or null; see {@link
   * #storageFailure}. Once set, Ratis writes to this log no more in this process (its log worker
   * fails every later write: a full disk stays "full" after space returns).
   */
  private volatile String logFailure;

  /** The members last handed to the listener; written under this, read anywhere. */
  private volatile Members known;

  /** Whether a configuration handed to the listener listed this node. */
  private volatile boolean wasMember;

  private final AtomicInteger notListedInARow = new AtomicInteger();

  private final PeerReconnect peerReconnect;

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
            id -> clientPeerIds.contains(id),
            leader,
            leaderWait,
            config.writeTimeout(),
            writeExecutor);
    this.nudger = new CommitNudger(this::fedFollowers, raftTasks);
    this.peerReconnect = new PeerReconnect(server);
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
    raftTasks.scheduleWithFixedDelay(
        this::watchAppenders, UNFED_GRACE_MILLIS, UNFED_GRACE_MILLIS / 2, TimeUnit.MILLISECONDS);
    raftTasks.scheduleWithFixedDelay(
        this::resetPeerBackoff,
        PEER_RECONNECT_MILLIS,
        PEER_RECONNECT_MILLIS,
        TimeUnit.MILLISECONDS);
    raftTasks.scheduleWithFixedDelay(
        this::settleDemotion, DEMOTION_CHECK_MILLIS, DEMOTION_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    raftTasks.scheduleWithFixedDelay(
        this::catchUpListeners,
        DEMOTION_CHECK_MILLIS,
        DEMOTION_CHECK_MILLIS,
        TimeUnit.MILLISECONDS);
    installRatisFixes();
  }

  /**
   * How often this node checks whether a configuration made it a listener while Ratis holds it a
   * follower ({@link ListenerDemotion}); well inside an election timeout, which is what it races.
   */
  static final long DEMOTION_CHECK_MILLIS = 50;

  /** Set once this Ratis turned out to have no role change to call; the task thread's only. */
  private boolean demotionUnsupported;

  /** {@link ListenerDemotion} on the task thread. Never throws. */
  void settleDemotion() {
    if (demotionUnsupported) {
      return;
    }
    try {
      if (ListenerDemotion.settle(startedDivision(), selfId)) {
        LOG.info(
            "the configuration lists this node as a listener, no longer a voter: Ratis' role for it"
                + " is now LISTENER (Ratis leaves a demoted voter a follower, whose next election"
                + " timeout would close its division)");
      }
    } catch (IOException e) {
      // starting, or closed
    } catch (NoSuchMethodException e) {
      demotionUnsupported = true;
      LOG.warn(
          "this Ratis has no role change to call ({}): a voter demoted to listener may close its"
              + " division at its next election timeout, and the node then stops",
          e.toString());
    } catch (ReflectiveOperationException e) {
      LOG.warn("moving this node to the listener role failed; tried again shortly", e);
    } catch (RuntimeException e) {
      LOG.debug("the listener role check found Ratis mid-change: {}", e.toString());
    }
  }

  /**
   * Whether {@link TermVoteFile} and {@link UpdaterWakeUp} are in place; set by start(), then by
   * the task thread.
   */
  private boolean termVoteFileInstalled;

  private boolean updaterWakeUpInstalled;

  /**
   * Puts in place the fixes for Ratis faults that need its server running: a state-machine updater
   * wake-up that is never lost ({@link UpdaterWakeUp}) and a term-and-vote file that a failed write
   * cannot truncate ({@link TermVoteFile}). Called from {@link #start} right after Ratis started
   * (before its first election can write the term), then on the task thread every 50 ms until both
   * are in. Never throws.
   */
  private void installRatisFixes() {
    boolean done;
    try {
      RaftServer.Division d = division();
      termVoteFileInstalled = termVoteFileInstalled || TermVoteFile.install(d);
      updaterWakeUpInstalled = updaterWakeUpInstalled || UpdaterWakeUp.install(d);
      done = termVoteFileInstalled && updaterWakeUpInstalled;
    } catch (IOException | RuntimeException e) {
      done = false; // the division is not there yet
    }
    if (!done) {
      try {
        raftTasks.schedule(this::installRatisFixes, 50, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // closing
      }
    }
  }

  /**
   * How long a leader may lack a log appender for a member of its settled configuration before it
   * hands its leadership on ({@link #watchAppenders}).
   */
  static final long UNFED_GRACE_MILLIS = 2_000;

  /** Member id to when this leader first found it without an appender; the task thread's only. */
  private final Map<String, Long> unfedSince = new HashMap<>();

  /**
   * How long after a hand-off for an unfed member was tried the leader tries again while a member
   * is still unfed: a transfer is refused while a configuration change is staging, and its target
   * may be the node a fault just cut off.
   */
  static final long HAND_OFF_RETRY_MILLIS = 5_000;

  /** When this leader last tried a hand-off for an unfed member (nanoTime); task thread's only. */
  private OptionalLong lastHandOffNanos = OptionalLong.empty();

  /**
   * True while a hand-off runs on {@link #handOffs}: set by the task thread, cleared when it ends.
   */
  private final AtomicBoolean handingOff = new AtomicBoolean();

  /**
   * On the leader: hands the leadership on when a member of its settled configuration has had no
   * log appender for {@link #UNFED_GRACE_MILLIS}, so a successor, which starts an appender for
   * every member, feeds it again. Ratis 3.3 drops such appenders: a configuration change that fails
   * NOPROGRESS stops every appender whose follower it counts as not caught up, members' included,
   * and nothing starts them again while this leader lasts (extended chaos run 2024120621: the
   * listener n4, just added, lost its appender when the addition of n5 failed, applied nothing for
   * three minutes and was never promoted). Never throws (it runs on the task thread's schedule).
   */
  void watchAppenders() {
    try {
      RaftServer.Division d = division();
      var info = d.getInfo();
      if (!info.isLeader() || !info.isLeaderReady()) {
        unfedSince.clear();
        lastHandOffNanos = OptionalLong.empty();
        return;
      }
      var conf = d.getRaftConf();
      boolean settled =
          conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()
              && conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
      Members current = members();
      Set<String> unfed =
          unfedMembers(
              settled,
              current.ids(),
              appenderIds(info.getRoleInfoProto()).collect(Collectors.toSet()),
              selfId.toString());
      long now = System.nanoTime();
      unfedSince.keySet().retainAll(unfed);
      unfed.forEach(id -> unfedSince.putIfAbsent(id, now));
      if (unfed.isEmpty()) {
        lastHandOffNanos = OptionalLong.empty();
      }
      boolean overdue =
          unfedSince.values().stream()
              .anyMatch(t -> now - t >= TimeUnit.MILLISECONDS.toNanos(UNFED_GRACE_MILLIS));
      if (handOffDue(overdue, handingOff.get(), lastHandOffNanos, now)) {
        handingOff.set(true); // only this thread sets it, so nothing raced the check
        lastHandOffNanos = OptionalLong.of(now);
        String why =
            "has had no log appender for the members "
                + new TreeSet<>(unfed)
                + " for "
                + UNFED_GRACE_MILLIS
                + " ms (Ratis dropped them when a configuration change failed)";
        handOffs.execute(
            () -> {
              try {
                handOffOrStepDown(current, why);
              } finally {
                handingOff.set(false);
              }
            });
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("appender watch skipped: {}", e.toString());
    }
  }

  /**
   * Whether a leader with an unfed member ({@code overdue}: for longer than the grace) tries a
   * hand-off now: none is running, and none was tried, or the last one {@link
   * #HAND_OFF_RETRY_MILLIS} ago or more (it failed, or its successor lost the appender too).
   */
  static boolean handOffDue(boolean overdue, boolean running, OptionalLong lastTried, long now) {
    return overdue
        && !running
        && (lastTried.isEmpty()
            || now - lastTried.getAsLong() >= TimeUnit.MILLISECONDS.toNanos(HAND_OFF_RETRY_MILLIS));
  }

  /**
   * Hands the leadership to another voter, or, when Ratis refuses the transfer (it does while a
   * configuration change is staging, as when the failed addition that dropped the appenders is
   * asked again) or its target does not take over, steps down: the next leader, this node included,
   * starts an appender for every member. Never throws.
   */
  private void handOffOrStepDown(Members current, String why) {
    try {
      handOffLeadership(current, why);
      return;
    } catch (IOException | RuntimeException e) {
      LOG.warn("leadership hand-off failed ({}); the leader steps down instead", e.toString());
    }
    try {
      stepDown();
    } catch (IOException | RuntimeException e) {
      LOG.warn("step-down failed: {}", e.toString());
    }
  }

  /**
   * Asks the leader to step down without naming a successor (Ratis' transfer to no one, which it
   * takes while a configuration change stages); the group elects again after an election timeout.
   */
  void stepDown() throws IOException {
    RaftClient c = client.get();
    if (c == null) {
      throw new IOException("no client to ask the leader with");
    }
    requireSuccess(c.admin().transferLeadership(null, leaderWait.toMillis()), "step-down refused");
  }

  /**
   * The members of a leader's settled configuration ({@code settled} false: a joint one, no
   * verdict) it has no log appender for, itself left out.
   */
  static Set<String> unfedMembers(
      boolean settled, Set<String> members, Set<String> appenders, String self) {
    if (!settled) {
      return Set.of();
    }
    Set<String> out = new HashSet<>(members);
    out.removeAll(appenders);
    out.remove(self);
    return out;
  }

  /**
   * How often this server cuts short gRPC's reconnect back-off on its channels to the members
   * ({@link PeerReconnect}): a peer back from a restart is reachable for votes within this.
   */
  static final long PEER_RECONNECT_MILLIS = 500;

  /** One round of {@link PeerReconnect}; never throws (it runs on the task thread's schedule). */
  int resetPeerBackoff() {
    try {
      List<RaftPeerId> ids =
          division().getRaftConf().getAllPeers().stream().map(RaftPeer::getId).toList();
      return peerReconnect.reset(ids);
    } catch (IOException | RuntimeException e) {
      LOG.debug("peer reconnect skipped: {}", e.toString());
      return 0;
    }
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

  /**
   * This node's Raft division, in whatever state it is: also while Ratis starts it, when its log is
   * not open yet (every read of the log then throws IllegalStateException). Read the log through
   * {@link #startedDivision}.
   */
  public RaftServer.Division division() throws IOException {
    return server.getDivision(groupId);
  }

  /**
   * This node's Raft division once Ratis has opened its log and started applying it; an IOException
   * while it starts, or when it failed to start on a damaged log. Ratis creates the division before
   * it opens the log, and a joiner that no configuration lists yet stays in STARTING after its log
   * is open, so the lifecycle cannot tell: the log and the applied index are asked (each throws
   * IllegalStateException until Ratis set it up). For every caller that reads either, so that a
   * request in that window is a "starting" answer rather than an internal error (CI run seed
   * 7363253: a request to joiner n4 answered 500 and put an ERROR in its log).
   */
  public RaftServer.Division startedDivision() throws IOException {
    RaftServer.Division d = division();
    try {
      d.getRaftLog();
      d.getInfo().getLastAppliedIndex();
    } catch (IllegalStateException e) {
      throw new IOException("the Raft server is starting: " + e.getMessage(), e);
    }
    return d;
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
      RaftServer.Division d = startedDivision();
      if (d.getInfo().isLeader()) {
        return d.getRaftLog().getLastCommittedIndex();
      }
      String self = selfId.toString();
      return d.getCommitInfos().stream()
          .filter(c -> !c.getServer().getId().toStringUtf8().equals(self))
          .mapToLong(RaftProtos.CommitInfoProto::getCommitIndex)
          .max()
          .orElse(0);
    } catch (IOException e) {
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
   * What this node's storage could not take, or null while it is fine: a Raft log write ({@link
   * #logFailure}) or the store write of an applied entry (Ratis then closes the division: a replica
   * never skips an entry). Either way this process goes no further in the cluster; a restart once
   * the disk takes writes again reopens both and catches up.
   */
  public String storageFailure() {
    String log = logFailure;
    if (log != null) {
      return "its Raft log could not be written: " + log;
    }
    String apply = stateMachine.applyFailure();
    return apply == null ? null : "an entry could not be applied: " + apply;
  }

  static String rootMessage(Throwable t) {
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

  /** Whether this Ratis lacks {@link ListenerCatchUp}'s method (logged once). */
  private volatile boolean catchUpUnsupported;

  /**
   * On the leader: marks every member its log appenders feed as caught up, listeners included
   * ({@link ListenerCatchUp}). Never throws (it runs on the task thread's schedule).
   */
  void catchUpListeners() {
    if (catchUpUnsupported || !(server.getFactory() instanceof WakeUpRpc.Factory f)) {
      return;
    }
    try {
      RaftServer.Division d = startedDivision();
      if (!d.getInfo().isLeader()) {
        return;
      }
      Set<RaftPeerId> members = new HashSet<>();
      var conf = d.getRaftConf();
      conf.getCurrentPeers(RaftPeerRole.FOLLOWER).forEach(p -> members.add(p.getId()));
      conf.getCurrentPeers(RaftPeerRole.LISTENER).forEach(p -> members.add(p.getId()));
      int marked = ListenerCatchUp.markMembers(f.fedInfos(), members);
      if (marked > 0) {
        LOG.info(
            "marked {} member(s) of the configuration caught up (Ratis leaves a listener it added"
                + " initializing, which keeps it from voting once promoted)",
            marked);
      }
    } catch (NoSuchMethodException e) {
      catchUpUnsupported = true;
      LOG.warn(
          "this Ratis has no follower catch-up to call ({}): a listener added by this leader stays"
              + " initializing, and cannot vote once promoted, until another leader feeds it",
          e.toString());
    } catch (IOException e) {
      // starting, or closed
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("the listener catch-up check failed: {}", e.toString());
    }
  }

  /** The followers this node's log appenders feed ({@link CommitNudger}); none unless it leads. */
  private List<CommitNudger.Follower> fedFollowers() {
    return server.getFactory() instanceof WakeUpRpc.Factory f ? f.followers() : List.of();
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
    Set<RaftPeerId> ids = all.stream().map(RaftPeer::getId).collect(Collectors.toUnmodifiableSet());
    // Peers both clients know while they are swapped: neither is sent a request for a peer it
    // lacks.
    clientPeerIds =
        clientPeerIds.stream().filter(ids::contains).collect(Collectors.toUnmodifiableSet());
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
    clientPeerIds = ids;
    if (old != null) {
      // Requests in flight on the old client keep it busy until they end; close it once they have.
      // On a thread of its own (this happens once per membership change): the close can wait
      // seconds for gRPC, and in the JVM's common pool it would hold a thread that followers'
      // appends queue for (CommonPool).
      CompletableFuture.delayedExecutor(
              config.writeTimeout().toMillis() * 2,
              TimeUnit.MILLISECONDS,
              r -> DaemonThreads.named("client-close").newThread(r).start())
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
   * without it at two asks in a row (a configuration in this node's log may be one the leader never
   * committed: the leader's answer decides). Ratis tells a removed voter when it campaigns (the
   * leader answers "shut down"); a removed listener never campaigns, and holds the entry that
   * removes it without learning that it was committed, so Ratis neither applies it there nor closes
   * the division (chaos run short-706500, ListenerRemovalIT: it kept serving a replica nobody
   * updated). A node the leader replicates to but does not list is not removed while it is behind
   * the leader's commit index: that is a joiner being caught up before the configuration that adds
   * it (re-added under its old id, it receives the history that lists it and then removes it; once
   * caught up, the leader lists it at once). Fed and caught up, it is removed: Ratis 3.3 kept a log
   * appender for it, which feeds it heartbeats, so it never campaigns and is never told (CI run
   * short-1854329: n1, removed while it led, heard its successor for good). Blocks for up to a
   * Ratis client call per member and {@link #CATCH_UP_LOOK}; no call on a voter that hears its
   * leader.
   */
  public boolean removedWithoutNotice(Duration quiet) {
    try {
      RaftServer.Division d = division();
      Members mine = members();
      RaftClient c = client.get();
      if (d.getInfo().isLeader() || !wasMember || c == null) {
        notListedInARow.set(0);
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
      boolean heard = heardLeaderWithin(role, quiet.toMillis());
      if (!listener && heard && mine.contains(config.id())) {
        notListedInARow.set(0);
        return false;
      }
      Optional<Boolean> listed = leaderListsSelf(mine, c, true);
      if (listed.isEmpty() || listed.get()) {
        notListedInARow.set(0);
        return false;
      }
      // Twice in a row: a joiner re-added under its old id can be between two attempts to catch it
      // up (a leader that failed one hands its leadership on, the next starts afresh) at one ask.
      return notListedInARow.incrementAndGet() >= 2;
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
    return leaderListsSelf(last, c, false).map(listed -> !listed);
  }

  /**
   * Asks the members in {@code ask}, the last known leader first, for the leader's configuration:
   * whether a settled one lists this node (or, with {@code fedCounts}, whether the leader
   * replicates to it while this node is behind its commit index); empty when no leader answered or
   * its configuration is changing. Blocks for up to a Ratis client call per member.
   */
  private Optional<Boolean> leaderListsSelf(Members ask, RaftClient c, boolean fedCounts) {
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
      switch (leaderVerdict(info.getRoleInfoProto(), info.getConf(), config.id())) {
        case NOT_A_LEADER:
          continue;
        case CHANGING:
          return Optional.empty();
        case LISTED:
          return Optional.of(true);
        case FED_ONLY:
          return Optional.of(fedCounts && !caughtUpWith(commitIndexOf(info, p.getId())));
        case NOT_LISTED:
          return Optional.of(false);
      }
    }
    return Optional.empty();
  }

  /**
   * How long a node fed by a leader that does not list it waits for its own commit index to reach
   * the leader's before it counts as behind (a joiner being caught up): a fed member gets there
   * within a heartbeat.
   */
  static final Duration CATCH_UP_LOOK = Duration.ofSeconds(1);

  /** The commit index {@code info}'s server reports for {@code id}; -1 when it has none. */
  private static long commitIndexOf(GroupInfoReply info, RaftPeerId id) {
    return info.getCommitInfos().stream()
        .filter(ci -> ci.getServer().getId().equals(id.toByteString()))
        .mapToLong(RaftProtos.CommitInfoProto::getCommitIndex)
        .findFirst()
        .orElse(-1);
  }

  /**
   * Whether this node's commit index reaches {@code leaderCommit} within {@link #CATCH_UP_LOOK}.
   * Blocks, polling every 20 ms.
   */
  private boolean caughtUpWith(long leaderCommit) {
    if (leaderCommit < 0) {
      return false;
    }
    long deadline = System.nanoTime() + CATCH_UP_LOOK.toNanos();
    try {
      while (startedDivision().getRaftLog().getLastCommittedIndex() < leaderCommit) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(20);
      }
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** What one member's group info says of this node's membership. */
  enum LeaderVerdict {
    /** Not a leader with a configuration: ask the next member. */
    NOT_A_LEADER,
    /** The leader's configuration is a joint one: no verdict. */
    CHANGING,
    LISTED,
    /**
     * The settled configuration does not list it, but the leader has a log appender to it: a joiner
     * being caught up, or an appender Ratis kept from before its removal.
     */
    FED_ONLY,
    NOT_LISTED
  }

  /**
   * One member's answer for {@link #leaderListsSelf}: whether its settled configuration lists
   * {@code id}, and if not, whether it has a log appender to it (a leader's follower list is its
   * appenders: the members, and nodes it is catching up before the change that adds them).
   */
  static LeaderVerdict leaderVerdict(
      RaftProtos.RoleInfoProto role,
      Optional<RaftProtos.RaftConfigurationProto> leaderConf,
      String id) {
    if (role.getRole() != RaftPeerRole.LEADER || leaderConf.isEmpty()) {
      return LeaderVerdict.NOT_A_LEADER;
    }
    Optional<Set<String>> listed = settledIds(leaderConf.get());
    if (listed.isEmpty()) {
      return LeaderVerdict.CHANGING;
    }
    if (listed.get().contains(id)) {
      return LeaderVerdict.LISTED;
    }
    return appenderIds(role).anyMatch(id::equals)
        ? LeaderVerdict.FED_ONLY
        : LeaderVerdict.NOT_LISTED;
  }

  /** The members of a settled configuration; empty for a joint one. */
  private static Optional<Set<String>> settledIds(RaftProtos.RaftConfigurationProto conf) {
    if (conf.getOldPeersCount() != 0 || conf.getOldListenersCount() != 0) {
      return Optional.empty();
    }
    Set<String> ids = new HashSet<>();
    Stream.concat(conf.getPeersList().stream(), conf.getListenersList().stream())
        .forEach(p -> ids.add(p.getId().toStringUtf8()));
    return Optional.of(ids);
  }

  /** The peers a leader's role info lists as followers: its log appenders. */
  private static Stream<String> appenderIds(RaftProtos.RoleInfoProto role) {
    return role.hasLeaderInfo()
        ? role.getLeaderInfo().getFollowerInfoList().stream()
            .map(f -> f.getId().getId().toStringUtf8())
        : Stream.empty();
  }

  /**
   * Whether the leader replicates to a member of {@code next} that its settled configuration does
   * not list: asked after a change failed (a failed addition stops the appenders it started), so
   * such an appender is one Ratis kept from before that member's removal, which fails every
   * addition of it until another leader takes over. False when no leader answers.
   */
  public boolean leaderKeepsStaleAppender(Members next) {
    RaftClient c = client.get();
    RaftPeerId l = leader();
    if (c == null || l == null) {
      return false;
    }
    try {
      GroupInfoReply info = c.getGroupManagementApi(l).info(groupId);
      return staleAppender(info.getRoleInfoProto(), info.getConf(), next.ids());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@link #leaderKeepsStaleAppender} on one member's group info. */
  static boolean staleAppender(
      RaftProtos.RoleInfoProto role,
      Optional<RaftProtos.RaftConfigurationProto> leaderConf,
      Set<String> wanted) {
    if (role.getRole() != RaftPeerRole.LEADER || leaderConf.isEmpty()) {
      return false;
    }
    Optional<Set<String>> listed = settledIds(leaderConf.get());
    return listed.isPresent()
        && appenderIds(role).anyMatch(id -> wanted.contains(id) && !listed.get().contains(id));
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
      RaftServer.Division d = startedDivision();
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
    /** The ids of the voters and listeners. */
    public Set<String> ids() {
      Set<String> out = new HashSet<>();
      Stream.concat(voters.stream(), listeners.stream())
          .forEach(p -> out.add(p.getId().toString()));
      return out;
    }

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
    handOffLeadership(current, "cannot change the configuration any more");
  }

  private void handOffLeadership(Members current, String why) throws IOException {
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
    LOG.warn("the leader {} {}; handing its leadership to {}", l, why, target.getId());
    RaftClientReply r =
        c.admin().transferLeadership(target.getId(), leaderWait.multipliedBy(2).toMillis());
    requireSuccess(r, "leadership transfer to " + target.getId() + " failed");
  }

  /** Throws the reply's exception, or one saying {@code otherwise}, unless {@code r} succeeded. */
  private static void requireSuccess(RaftClientReply r, String otherwise) throws IOException {
    if (!r.isSuccess()) {
      throw r.getException() != null ? r.getException() : new IOException(otherwise);
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
    handOffs.shutdownNow();
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
