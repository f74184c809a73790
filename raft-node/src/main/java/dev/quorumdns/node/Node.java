package dev.quorumdns.node;

import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.lease.NodeLeases;
import dev.quorumdns.node.raft.RaftMetrics;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.DaemonThreads;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.LeaseStatus;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.node.runtime.Readiness;
import dev.quorumdns.node.runtime.SnapshotCopy;
import dev.quorumdns.node.runtime.SnapshotInfo;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.node.runtime.ZoneRecord;
import dev.quorumdns.node.tls.TlsReloader;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.SizeInBytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QuorumDNS node's runtime: the replicated registry (RocksDB + Ratis), its DNS server,
 * membership and this node's published record. DNS starts first and answers SERVFAIL until the
 * registry is loaded; from then on it answers from the local replica, with or without a leader. The
 * HTTP API is not part of it: an adapter serves the {@link NodeRuntime} this class implements.
 *
 * <p>{@link #start} and {@link #close} are called once each, from one thread; the {@link
 * NodeRuntime} methods may be called from any thread once {@link #start} has returned.
 */
public final class Node implements NodeRuntime, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final NodeConfig config;
  private final Clock clock;
  private final MeterRegistry meters;
  private final SizeInBytes segmentSize;
  private final Registry registry;
  private final ExecutorService writeExecutor;
  private final ExecutorService adminExecutor =
      Executors.newSingleThreadExecutor(DaemonThreads.named("admin"));
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tasks"));

  /**
   * The lease keeper's ticks, on a thread of their own: an abandoned lease's expiry must not wait
   * behind the other periodic tasks (the storage probe after a failure writes and syncs 8 MiB).
   */
  private final ScheduledExecutorService leaseTicks =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("lease-ticks"));

  private final AtomicBoolean publishing = new AtomicBoolean();
  private final AtomicBoolean checkingRemoval = new AtomicBoolean();
  private final AtomicBoolean storageFailureNoticed = new AtomicBoolean();
  // When the Raft directory was last probed; both the publish and the autopilot tick ask.
  private final AtomicLong lastProbeNanos = new AtomicLong(System.nanoTime() - PROBE_EVERY_NANOS);
  private final long startNanos = System.nanoTime();
  private volatile boolean sawLeader;
  private final IntConsumer exit;
  private final AtomicBoolean exiting = new AtomicBoolean();
  private FileChannel lockChannel;
  private FileLock lock;
  private DnsWiring dns;
  private volatile NodeMembership membership;

  /**
   * How long a node restarted with state answers DNS SERVFAIL while it catches up with its leader,
   * at most: a catch-up takes a second or two; without a leader (quorum lost) it answers from what
   * it holds after this.
   */
  static final Duration MAX_CATCH_UP_HOLD = Duration.ofSeconds(10);

  /**
   * How long, at most, a node restarted with state stays held past {@link #MAX_CATCH_UP_HOLD} while
   * its leader is sending it something (a snapshot install of a large registry takes tens of
   * seconds).
   */
  static final Duration MAX_HOLD_IN_CONTACT = Duration.ofSeconds(60);

  /** {@link #leaderInContact}'s last answer and when it was taken ({@link System#nanoTime}). */
  private volatile boolean contactSeen;

  private volatile long contactCheckedNanos = System.nanoTime() - CONTACT_CHECK_NANOS;

  private static final long CONTACT_CHECK_NANOS = 100_000_000L;

  private volatile NodeLeases leases;
  private StallWatch stallWatch;
  private TlsReloader tls;
  private SnapshotCopies downloads;

  /**
   * @param meters where the node's meters go (the process exposes them at {@code /metrics})
   * @param exit called (from a background thread) with 0 when this node has been removed from the
   *     cluster, or 1 when its Raft server stopped on an error; {@code quorumdns node} exits with
   *     that code
   */
  public Node(NodeConfig config, Clock clock, MeterRegistry meters, IntConsumer exit) {
    this.exit = exit;
    this.config = config;
    this.clock = clock;
    this.meters = meters;
    this.segmentSize = SizeInBytes.valueOf(config.raftSegmentBytes());
    this.registry = new Registry(config.stateDir(), meters, config.changeLog());
    this.writeExecutor =
        new ThreadPoolExecutor(
            64,
            64,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(4096),
            DaemonThreads.named("write"),
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Locks the data directory, starts DNS, loads the registry and starts Raft. */
  public void start() throws IOException, InterruptedException {
    Files.createDirectories(config.dataDir());
    lockChannel =
        FileChannel.open(
            config.dataDir().resolve("quorumdns.lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    lock = lockChannel.tryLock();
    if (lock == null) {
      throw new IOException("data-dir " + config.dataDir() + " is in use by another node process");
    }
    downloads = new SnapshotCopies(config.dataDir());
    downloads.removeLeftovers();
    tls = NodeTls.load(config, clock, scheduler);
    dns = DnsWiring.start(config, registry.view(), registry::snapshot, meters);
    // Before the load, which arms it before its state becomes visible to DNS (started above).
    registry.holdUntilFilled(
        () -> {
          NodeMembership m = membership;
          RaftRuntime raft = m == null ? null : m.raft();
          return raft == null ? 0 : raft.leaderCommitIndex();
        },
        this::leaderInContact,
        MAX_CATCH_UP_HOLD,
        MAX_HOLD_IN_CONTACT);
    registry.load();
    stallWatch = new StallWatch(System::nanoTime, stallThreshold(), this::stalled).start();
    registry.holdWhileStalled(stallWatch::stalled);
    warnIfSettingsDiffer();
    leases =
        NodeLeases.start(
            registry,
            // The ticks start before the membership exists (rehearsal short-141427: each early tick
            // failed on it; under the shared task scheduler the first such failure had silently
            // cancelled every later tick, so that node's leases never expired while it led).
            () -> {
              NodeMembership m = membership;
              return m == null ? null : m.raft();
            },
            this::submit,
            leaseTicks,
            config.writeTimeout(),
            // Ratis sends heartbeats every half election timeout: a live majority is always
            // fresher than three quarters of one, and a successor needs a whole one first.
            config.electionTimeout().multipliedBy(3).dividedBy(4),
            stallWatch::stalled);
    membership =
        new NodeMembership(
            config,
            tls,
            clock,
            meters,
            registry.view(),
            adminExecutor,
            this::submit,
            this::newRaft);
    membership.start();
    scheduler.scheduleWithFixedDelay(this::publishSelf, 0, 1, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(this::autopilotTick, 1, 1, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(this::noticeRemoval, 5, 5, TimeUnit.SECONDS);
    LOG.info(
        "node {} started: dns {}:{}, raft {}:{}",
        config.id(),
        config.bind().getHostAddress(),
        config.dnsPort(),
        config.advertise().getHostAddress(),
        config.raftPort());
    if (config.join()) {
      LOG.info(
          "waiting to be added: on any member, run quorumdns members add {} {}:{}{}",
          config.id(),
          config.advertise().getHostAddress(),
          config.raftPort(),
          config.listener() ? " --listener" : "");
    }
  }

  /**
   * This node's Raft runtime with {@code withMembers}' initial members (static, founders, or none
   * to join).
   */
  private RaftRuntime newRaft(NodeConfig withMembers) throws IOException {
    RaftRuntime r =
        new RaftRuntime(
            withMembers,
            registry,
            clock,
            writeExecutor,
            segmentSize,
            new Listener(),
            NodeTls.raft(config, tls));
    RaftMetrics.bind(r, meters);
    r.setReadOnlyRequests(leases.requests());
    return r;
  }

  private void autopilotTick() {
    try {
      if (membership.raft() != null && !stoppedRaft()) {
        membership.tickAutopilot();
      }
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: this one also notices a closed division.
      LOG.warn("autopilot tick failed: {}", e.toString(), e);
    }
  }

  public NodeConfig config() {
    return config;
  }

  /**
   * The HTTP API's TLS context (served from this node's reloading TLS material), or null without
   * TLS.
   */
  public SslContext apiSslContext() throws IOException {
    return NodeTls.api(tls);
  }

  private void warnIfSettingsDiffer() {
    registry
        .view()
        .settings()
        .ifPresent(
            s -> {
              if (!s.equals(config.clusterSettings())) {
                LOG.warn(
                    "this node's vip-cidr/vip6-cidr/vip-hold-down ({}, {}, {}) differ from the cluster's ({}, {}, {} ms);"
                        + " the cluster's settings apply",
                    config.vip4Pool(),
                    config.vip6Pool(),
                    config.vipHoldDown(),
                    s.vip4Pool(),
                    s.vip6Pool(),
                    s.holdDownMillis());
              }
            });
  }

  /**
   * Publishes this node's addresses into the registry once a leader exists and they are not there
   * (retried every second until they are), and stops the node when its Raft division closed.
   * Membership does not come this way: the runtime hands it over when it changes ({@link
   * Listener#membersChanged}).
   */
  private void publishSelf() {
    RaftRuntime raft = membership.raft();
    if (raft == null) {
      return;
    }
    try {
      if (stoppedRaft()) {
        return;
      }
      if (raft.leader() == null || !raft.members().contains(config.id())) {
        return;
      }
      NodeRecord mine =
          new NodeRecord(
              config.id(),
              config.advertise(),
              config.raftPort(),
              config.apiPort(),
              config.dnsPort());
      if (mine.equals(registry.view().node(config.id()))
          || !publishing.compareAndSet(false, true)) {
        return;
      }
      raft.submit(new Command.PutNode(mine)).whenComplete((r, e) -> publishing.set(false));
    } catch (IOException | RuntimeException e) {
      LOG.debug("publishing node record: {}", e.toString());
    }
  }

  /**
   * How long the process may stand still before its replica counts as possibly behind: two election
   * timeouts (by then a new leader may have been elected and have acknowledged writes), at least a
   * second (a loaded host delays a thread's wake-up by hundreds of milliseconds).
   */
  /**
   * Whether a leader sent this follower a message within the stall threshold (two election
   * timeouts). Asked on every DNS query while a hold runs past {@link #MAX_CATCH_UP_HOLD}, so the
   * answer is kept for 100 ms (reading Ratis' role info builds a message).
   */
  private boolean leaderInContact() {
    long now = System.nanoTime();
    if (now - contactCheckedNanos < CONTACT_CHECK_NANOS) {
      return contactSeen;
    }
    NodeMembership m = membership;
    RaftRuntime raft = m == null ? null : m.raft();
    boolean seen = raft != null && raft.leaderInContactWithin(stallThreshold());
    contactSeen = seen;
    contactCheckedNanos = now;
    return seen;
  }

  private Duration stallThreshold() {
    Duration two = config.electionTimeout().multipliedBy(2);
    return two.compareTo(Duration.ofSeconds(1)) > 0 ? two : Duration.ofSeconds(1);
  }

  /**
   * The process stood still for {@code nanos}: writes may have been acknowledged meanwhile that
   * this replica has not applied, so it is held as after a restart (DNS SERVFAIL, never a stale
   * NXDOMAIN) until it has heard its leader's commit index again and caught up, at most {@link
   * #MAX_CATCH_UP_HOLD}.
   */
  private void stalled(long nanos) {
    NodeLeases l = leases;
    if (l != null) {
      l.afterStall();
    }
    NodeMembership m = membership;
    RaftRuntime raft = m == null ? null : m.raft();
    if (raft == null) {
      return;
    }
    long since = System.nanoTime();
    LOG.warn(
        "this process stood still for {} ms (stopped, frozen or paused): DNS answers SERVFAIL until"
            + " it has heard its leader again and caught up (at most {} s)",
        nanos / 1_000_000,
        MAX_CATCH_UP_HOLD.toSeconds());
    registry.holdUntilFilled(() -> raft.leaderCommitIndexHeardSince(since), MAX_CATCH_UP_HOLD);
  }

  /**
   * Ratis closes a member's division when the member is removed from the configuration, and on a
   * fatal error (a replica that cannot apply). Either way this node can no longer serve the
   * registry: it stops, at once when removed, and after a storage failure only once the disk takes
   * writes again (a restart before that would fail the same way, with DNS down meanwhile).
   */
  private boolean stoppedRaft() {
    RaftRuntime raft = membership.raft();
    String failure = raft.storageFailure();
    if (failure != null) {
      // Ratis never writes a failed log again in this process (extended chaos run 11659073: a
      // follower whose disk had been full failed every append after space returned, until its
      // division closed 90 s later), and a replica that could not apply an entry has its division
      // closed (landing rehearsal short-5309617: the store write failed on the full disk). Either
      // way DNS keeps answering from the replica as it is while the disk stays full; once it
      // takes writes again, the node stops, and a restart reopens the log and the store.
      if (probeDue() && storageWritable()) {
        stop(
            false,
            failure
                + ", and the data directories take writes again: a restart reopens the Raft log"
                + " and the store, which this process cannot write again");
        return true;
      }
      if (storageFailureNoticed.compareAndSet(false, true)) {
        LOG.error(
            "this node's storage failed ({}): it takes no part in the cluster until it restarts."
                + " DNS keeps answering from its replica as it is; once {} takes writes again the"
                + " node stops, so that its supervisor restarts it",
            failure,
            config.dataDir());
      }
      return false;
    }
    LifeCycle.State state;
    try {
      state = raft.division().getInfo().getLifeCycleState();
    } catch (IOException e) {
      state = LifeCycle.State.CLOSED;
    }
    if (!state.isClosingOrClosed() && state != LifeCycle.State.EXCEPTION) {
      return false;
    }
    boolean removed;
    try {
      removed = !raft.members().contains(config.id());
    } catch (IOException | RuntimeException e) {
      removed = false;
    }
    // Its own configuration may still list it (a joiner restarted before its addition completed
    // holds an older one): the leader's decides.
    if (!removed && raft.removedByLeader().orElse(false)) {
      stop(true, "its Raft division closed and the leader's configuration does not list it");
      return true;
    }
    stop(removed, "its Raft division closed");
    return true;
  }

  /** The least time between two probes of the Raft directory (each writes {@link #PROBE_BYTES}). */
  private static final long PROBE_EVERY_NANOS = 1_000_000_000L;

  /** Whether a probe is due, claiming it: at most one a second, whichever tick asks. */
  private boolean probeDue() {
    long now = System.nanoTime();
    long last = lastProbeNanos.get();
    return now - last >= PROBE_EVERY_NANOS && lastProbeNanos.compareAndSet(last, now);
  }

  /** How much a probe writes: more than Ratis preallocates for a log segment (4 MiB). */
  private static final int PROBE_BYTES = 8 << 20;

  /**
   * Whether the Raft directory and the data directory (the store's file system; the probe stays out
   * of RocksDB's own directory) take a probe write again.
   */
  private boolean storageWritable() {
    return writable(config.raftDir()) && writable(config.dataDir());
  }

  /**
   * Whether {@code dir} takes a write as large as a Raft segment's preallocation again (written,
   * forced to disk and deleted).
   */
  private static boolean writable(Path dir) {
    Path probe = dir.resolve("write-probe.tmp");
    try (FileChannel ch =
        FileChannel.open(
            probe,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
      for (int written = 0; written < PROBE_BYTES; written += zeros.capacity()) {
        zeros.clear();
        while (zeros.hasRemaining()) {
          ch.write(zeros);
        }
      }
      ch.force(true);
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        LOG.debug("removing {}: {}", probe, e.toString());
      }
    }
  }

  /**
   * Stops this node, once: removed from the cluster (exit 0) or on a Raft error (exit 1).
   *
   * @param how how it came to know
   */
  private void stop(boolean removed, String how) {
    if (!exiting.compareAndSet(false, true)) {
      return;
    }
    LOG.warn(
        removed
            ? (config.discovery().enabled()
                ? "this node was removed from the cluster ({}); stopping. Started again, it asks to"
                    + " join as a new member (data in {})"
                : "this node was removed from the cluster ({}); stopping. Wipe {} before it joins"
                    + " again.")
            : "the Raft server stopped on an error ({}); stopping (data in {})",
        how,
        config.dataDir());
    exit.accept(removed ? 0 : 1);
  }

  /**
   * Asks the leader whether this node is still a member, when it has heard nothing from one for a
   * while ({@link RaftRuntime#removedWithoutNotice}); on the admin thread, one check at a time, as
   * it may wait on unreachable members.
   */
  private void noticeRemoval() {
    RaftRuntime raft = membership.raft();
    if (raft == null || exiting.get() || !checkingRemoval.compareAndSet(false, true)) {
      return;
    }
    Duration quiet = config.electionTimeout().multipliedBy(5);
    Duration atLeast = Duration.ofSeconds(5);
    try {
      adminExecutor.execute(
          () -> {
            try {
              if (raft.removedWithoutNotice(quiet.compareTo(atLeast) > 0 ? quiet : atLeast)) {
                stop(true, "the leader's configuration no longer lists it");
              }
            } finally {
              checkingRemoval.set(false);
            }
          });
    } catch (RuntimeException e) {
      checkingRemoval.set(false);
    }
  }

  @Override
  public String nodeId() {
    return config.id();
  }

  @Override
  public String domain() {
    return config.domain();
  }

  @Override
  public RegistryView view() {
    return registry.view();
  }

  @Override
  public RegistrySnapshot readSnapshot() throws IOException {
    if (!registry.view().isLoaded()) {
      throw new IOException("this replica holds no state yet");
    }
    return registry.snapshot();
  }

  @Override
  public void onRevision(LongConsumer listener) {
    registry.onRevision(listener);
  }

  @Override
  public Outcome precheck(Command command) {
    return registry.precheck(command);
  }

  @Override
  public CompletableFuture<WriteResult> submit(Command command) {
    long start = System.nanoTime();
    return submitUntimed(command)
        .whenComplete(
            (r, e) ->
                Timer.builder("quorumdns.write.latency")
                    .description(
                        "Time from a write reaching this node to its outcome (applied, refused, not sent or unknown)")
                    .tag(
                        "result",
                        r == null
                            ? "error"
                            : r instanceof WriteResult.Applied a
                                ? (a.outcome().refused() ? "refused" : "applied")
                                : r instanceof WriteResult.NotSent ? "not_sent" : "unknown")
                    .publishPercentileHistogram()
                    .register(meters)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private CompletableFuture<WriteResult> submitUntimed(Command command) {
    RaftRuntime raft = membership.raft();
    if (raft == null) {
      return CompletableFuture.completedFuture(new WriteResult.NotSent(notMember()));
    }
    boolean needsSettings =
        command instanceof Command.UpsertService || command instanceof Command.Batch;
    if (needsSettings && registry.view().settings().isEmpty()) {
      // A brand-new cluster: fix its settings first (a no-op if another node already did).
      return raft.submit(new Command.InitCluster(config.clusterSettings()))
          .thenCompose(r -> raft.submit(command));
    }
    return raft.submit(command);
  }

  @Override
  public CompletableFuture<Long> readBarrier() {
    RaftRuntime raft = membership.raft();
    if (raft == null) {
      return CompletableFuture.failedFuture(
          new NodeException(NodeException.Kind.NO_QUORUM, notMember()));
    }
    return raft.readBarrier(config.writeTimeout())
        .handle(
            (index, error) -> {
              if (error == null) {
                return index;
              }
              Throwable cause =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              throw new NodeException(NodeException.Kind.NO_QUORUM, cause.getMessage());
            });
  }

  @Override
  public CompletableFuture<WriteResult> grantLease(long ttlMillis) {
    return leases.grant(ttlMillis);
  }

  @Override
  public CompletableFuture<LeaseStatus> keepAliveLease(long id) {
    return leases.keepAlive(id);
  }

  @Override
  public CompletableFuture<LeaseStatus> leaseStatus(long id) {
    return leases.status(id);
  }

  @Override
  public ClusterStatus clusterStatus() {
    return membership.status();
  }

  @Override
  public FormationInfo formation() {
    return membership.formationInfo();
  }

  @Override
  public CompletableFuture<ClusterStatus> addMember(
      String id, HostPort raftAddress, boolean listener) {
    return membership.add(id, raftAddress, listener);
  }

  @Override
  public CompletableFuture<ClusterStatus> removeMember(String id) {
    return membership.remove(id);
  }

  private String notMember() {
    return membership.notMember();
  }

  @Override
  public CompletableFuture<SnapshotInfo> snapshot() {
    RaftRuntime raft = membership.raft();
    if (raft == null) {
      return CompletableFuture.failedFuture(
          new NodeException(NodeException.Kind.SNAPSHOT_FAILED, notMember()));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            RaftRuntime.Snapshot s = raft.snapshot(config.writeTimeout().multipliedBy(6));
            return new SnapshotInfo(s.index(), s.directory().toAbsolutePath());
          } catch (IOException e) {
            throw new NodeException(NodeException.Kind.SNAPSHOT_FAILED, e.getMessage());
          }
        },
        adminExecutor);
  }

  @Override
  public CompletableFuture<SnapshotCopy> snapshotCopy() {
    RaftRuntime raft = membership.raft();
    if (raft == null) {
      return CompletableFuture.failedFuture(
          new NodeException(NodeException.Kind.SNAPSHOT_FAILED, notMember()));
    }
    Duration timeout = config.writeTimeout().multipliedBy(6);
    return CompletableFuture.supplyAsync(
        () ->
            downloads.take(
                () -> raft.snapshot(timeout), config.cluster(), config.id(), clock.instant()),
        adminExecutor);
  }

  @Override
  public Readiness readiness() {
    RaftRuntime raft = membership.raft();
    if (raft == null) {
      return new Readiness(false, notMember());
    }
    if (!registry.view().isLoaded()) {
      return new Readiness(false, "no state yet (loading, or waiting for the leader to send it)");
    }
    String failure = raft.storageFailure();
    if (failure != null) {
      return new Readiness(
          false,
          failure
              + "; DNS answers from the replica as it is, and the node restarts once the disk takes"
              + " writes again");
    }
    try {
      RaftServer.Division d = raft.startedDivision();
      if (!raft.members().contains(config.id())) {
        return new Readiness(false, "not a member of the cluster yet");
      }
      long commit = d.getRaftLog().getLastCommittedIndex();
      long applied = d.getInfo().getLastAppliedIndex();
      if (d.getInfo().getLeaderId() == null) {
        Duration grace = config.electionTimeout().multipliedBy(10);
        if (!sawLeader && Duration.ofNanos(System.nanoTime() - startNanos).compareTo(grace) < 0) {
          return new Readiness(false, "waiting for a leader");
        }
        return new Readiness(
            true, "no leader; serving the last applied state (index " + applied + ")");
      }
      if (applied < commit) {
        return new Readiness(false, "catching up: applied " + applied + " of " + commit);
      }
      return new Readiness(true, "ok");
    } catch (IOException | IllegalStateException e) {
      return new Readiness(false, "raft not running: " + e.getMessage());
    }
  }

  @Override
  public List<ZoneRecord> records() {
    return dns.records(registry.view());
  }

  private final class Listener implements RaftRuntime.RaftMembershipListener {
    @Override
    public void leaderChanged(RaftPeerId leader) {
      if (leader != null) {
        sawLeader = true;
      }
      LOG.info("leader is now {}", leader);
    }

    @Override
    public void leaderReady() {
      if (registry.view().settings().isEmpty()) {
        ClusterSettings mine = config.clusterSettings();
        membership
            .raft()
            .submit(new Command.InitCluster(mine))
            .whenComplete(
                (r, e) ->
                    LOG.info(
                        "cluster settings proposal ({}): {}", mine, e != null ? e.toString() : r));
      }
    }

    /**
     * The only way members reach the registry: called when they changed, so cached NS answers live
     * on.
     */
    @Override
    public void membersChanged(List<RaftPeer> voters, List<RaftPeer> listeners) {
      Set<String> ids = voters.stream().map(p -> p.getId().toString()).collect(Collectors.toSet());
      registry.setVoters(ids);
      LOG.info("members now: voters {}, listeners {}", voters, listeners);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    leaseTicks.shutdownNow();
    if (stallWatch != null) {
      stallWatch.close();
    }
    closeQuietly(membership);
    closeQuietly(tls);
    closeQuietly(membership == null ? null : membership.raft());
    closeQuietly(dns);
    registry.close();
    writeExecutor.shutdownNow();
    adminExecutor.shutdownNow();
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      LOG.warn("releasing the data-dir lock: {}", e.toString());
    }
    LOG.info("node {} stopped", config.id());
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("closing {}: {}", c.getClass().getSimpleName(), e.toString());
    }
  }
}
