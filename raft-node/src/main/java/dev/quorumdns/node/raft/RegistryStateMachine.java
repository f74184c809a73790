package dev.quorumdns.node.raft;

import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.CommandCodec;
import dev.quorumdns.registry.codec.OutcomeCodec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.RequestId;
import dev.quorumdns.registry.store.StoredMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Ratis adapter around {@link dev.quorumdns.registry.state.Registry}: decodes, stamps and
 * applies commands, takes snapshots as RocksDB checkpoints and installs them. Domain refusals
 * travel back as encoded {@link Outcome}s; an exception while applying means the replica is corrupt
 * and stops the server.
 *
 * <p>Threading: {@link #startTransaction} runs on the leader's request threads; apply, snapshot and
 * reload on the Ratis apply thread; {@link #query} on Ratis read threads.
 */
public final class RegistryStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryStateMachine.class);

  // Fully qualified: StateMachine.Registry (a Ratis type) shadows the import inside this class.
  private final dev.quorumdns.registry.state.Registry registry;
  private final Clock clock;
  private final RaftEvents events;
  private final CheckpointStorage storage = new CheckpointStorage();
  private volatile WriteStages stages = WriteStages.unbound();
  private volatile RaftRuntime.ReadOnlyRequests readOnly;
  private volatile AppliedWaiters appliedWaiters;

  /** This division's Raft log, for the apply guard ({@link #inLog}); looked up on first use. */
  private RaftLog raftLog;

  /** The first entry this replica could not apply, with the root cause, or null. */
  private volatile String applyFailure;

  RegistryStateMachine(
      dev.quorumdns.registry.state.Registry registry, Clock clock, RaftEvents events) {
    this.registry = registry;
    this.clock = clock;
    this.events = events;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    long raftTerm;
    try {
      raftTerm = raftStorage.getMetadataFile().getMetadata().getTerm();
    } catch (IOException e) {
      raftTerm = Long.MAX_VALUE;
    }
    long seen = raftTerm;
    getLifeCycle().startAndTransition(() -> reconcileWithSnapshots(seen));
  }

  /**
   * Lines the stored registry up with the newest snapshot: a newer snapshot (installed just before
   * a crash) is loaded; a newer registry is checkpointed, so Ratis resumes after what RocksDB
   * already holds instead of replaying it.
   *
   * <p>A registry restored from a snapshot file into a new cluster carries the old cluster's term,
   * while the new Raft log starts again at term 1, and Ratis refuses an applied entry whose term
   * goes back: such a registry counts as applied at the highest term this Raft storage has seen (0
   * when it is new). Anywhere else that term is never lower than the registry's, and nothing
   * changes.
   */
  private void reconcileWithSnapshots(long raftTerm) throws IOException {
    CheckpointStorage.Latest latest = storage.latest();
    StoredMeta meta = registry.meta();
    long snapshotIndex = latest == null ? 0 : latest.info().getIndex();
    if (snapshotIndex > meta.appliedIndex()) {
      LOG.info(
          "snapshot {} is newer than the stored registry (applied {}); loading it",
          latest.info().getTermIndex(),
          meta.appliedIndex());
      registry.restore(latest.dir());
      meta = registry.meta();
    } else if (meta.appliedIndex() > snapshotIndex) {
      TermIndex ti = TermIndex.valueOf(Math.min(meta.appliedTerm(), raftTerm), meta.appliedIndex());
      storage.create(ti, registry::checkpoint);
      LOG.info("checkpointed the stored registry at {} so Ratis resumes after it", ti);
    }
    setLastAppliedTermIndex(
        TermIndex.valueOf(Math.min(meta.appliedTerm(), raftTerm), meta.appliedIndex()));
  }

  void bindStages(WriteStages stages) {
    this.stages = stages;
  }

  /** Tells {@code waiters} of every index this replica applies from now on. */
  void bindAppliedWaiters(AppliedWaiters waiters) {
    waiters.advanced(getLastAppliedTermIndex() == null ? 0 : getLastAppliedTermIndex().getIndex());
    this.appliedWaiters = waiters;
  }

  @Override
  protected void setLastAppliedTermIndex(TermIndex ti) {
    super.setLastAppliedTermIndex(ti);
    appliedUpTo(ti);
  }

  @Override
  protected boolean updateLastAppliedTermIndex(long term, long index) {
    boolean updated = super.updateLastAppliedTermIndex(term, index);
    appliedUpTo(getLastAppliedTermIndex());
    return updated;
  }

  @Override
  protected boolean updateLastAppliedTermIndex(TermIndex ti) {
    boolean updated = super.updateLastAppliedTermIndex(ti);
    appliedUpTo(getLastAppliedTermIndex());
    return updated;
  }

  private void appliedUpTo(TermIndex ti) {
    AppliedWaiters w = appliedWaiters;
    if (w != null && ti != null) {
      w.advanced(ti.getIndex());
    }
  }

  /** What the leader remembers of an entry it created, until it applies it. */
  private record Created(long nanos) {}

  /** The newest snapshot on disk, or null. */
  CheckpointStorage.Latest latestCheckpoint() {
    return storage.latest();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    long start = System.nanoTime();
    Command command;
    try {
      command = CommandCodec.decodeRequest(request.getMessage().getContent().toByteArray());
    } catch (CodecException e) {
      throw new StateMachineException("refused an undecodable request: " + e.getMessage());
    }
    LogEntry entry = new LogEntry(clock.millis(), command);
    TransactionContext trx =
        TransactionContext.newBuilder()
            .setStateMachine(this)
            .setServerRole(RaftProtos.RaftPeerRole.LEADER)
            .setClientRequest(request)
            .setLogData(ByteString.copyFrom(CommandCodec.encodeEntry(entry)))
            .setStateMachineContext(new Created(System.nanoTime()))
            .build();
    stages.leaderStart(start);
    return trx;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    long start = System.nanoTime();
    boolean created = trx.getStateMachineContext() instanceof Created;
    if (created) {
      stages.leaderCommit(((Created) trx.getStateMachineContext()).nanos());
    }
    RaftProtos.LogEntryProto proto = inLog(trx.getLogEntry());
    TermIndex ti = TermIndex.valueOf(proto);
    Outcome outcome;
    try {
      RaftProtos.StateMachineLogEntryProto sm = proto.getStateMachineLogEntry();
      LogEntry entry = CommandCodec.decodeEntry(sm.getLogData().toByteArray());
      // The entry's client and call id: a retry that Ratis' retry cache missed is answered, not
      // applied again.
      outcome =
          registry.apply(
              ti.getTerm(),
              ti.getIndex(),
              entry,
              RequestId.of(sm.getClientId().toByteArray(), sm.getCallId()));
    } catch (IOException e) {
      // Corrupt entry or unwritable store: this replica must not go on (Ratis closes the division;
      // the node decides when to stop, see RaftRuntime#storageFailure).
      String failure = describe(ti, e);
      if (applyFailure == null) {
        applyFailure = failure;
      }
      throw new UncheckedIOException("cannot apply " + failure + "; stopping this replica", e);
    }
    updateLastAppliedTermIndex(ti);
    Message reply = Message.valueOf(ByteString.copyFrom(OutcomeCodec.encode(outcome)));
    stages.apply(start);
    if (created) {
      events.appliedAsLeader(ti.getIndex());
    }
    return CompletableFuture.completedFuture(reply);
  }

  /**
   * The first entry this replica could not apply and why (its root cause), or null while every
   * entry applied.
   */
  String applyFailure() {
    return applyFailure;
  }

  /** An entry and the root cause of its failure, as the logs and {@link #applyFailure} say it. */
  static String describe(TermIndex ti, Throwable failure) {
    return ti + " (" + RaftRuntime.rootMessage(failure) + ")";
  }

  /**
   * The entry the Raft log holds at {@code handed}'s index: normally {@code handed} itself. A
   * guard, cheap (an in-memory lookup of the entry's term): chaos run short-5120 showed a leader
   * resumed from a pause applying, at one index, a change its successor's log had at a later one
   * (the entry it had appended at that index, in its deposed term, was later replaced). If what
   * Ratis hands over is not what the log holds, this replica would diverge: the log's entry is
   * applied instead, and the event logged as an error for the chaos suite's log scan.
   */
  private RaftProtos.LogEntryProto inLog(RaftProtos.LogEntryProto handed) {
    TermIndex ti = TermIndex.valueOf(handed);
    RaftLog log = raftLog;
    if (log == null) {
      try {
        log = getServer().join().getDivision(getGroupId()).getRaftLog();
      } catch (IOException | RuntimeException e) {
        return handed;
      }
      raftLog = log; // apply thread only
    }
    TermIndex held = log.getTermIndex(ti.getIndex());
    if (held == null || held.equals(ti)) {
      return handed;
    }
    try {
      RaftProtos.LogEntryProto entry = log.get(ti.getIndex());
      LOG.error(
          "Ratis handed entry {} to apply while the log holds {} at that index: applying the"
              + " log's entry",
          ti,
          held);
      return entry != null ? entry : handed;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read entry " + held + " that the log holds instead of " + ti, e);
    }
  }

  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    try {
      registry.advance(term, index);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot record applied index " + index + "; stopping this replica", e);
    }
    super.notifyTermIndexUpdated(term, index);
  }

  /**
   * Answers the read-only requests this node sends (lease keepalives and status, on the leader), or
   * null for none.
   */
  void setReadOnlyRequests(RaftRuntime.ReadOnlyRequests handler) {
    this.readOnly = handler;
  }

  /**
   * A request for {@link RaftRuntime.ReadOnlyRequests}: Ratis calls this once the linearizable read
   * index is applied. Any other request (none is sent since the read barrier became a log entry) is
   * answered with the applied index.
   */
  @Override
  public CompletableFuture<Message> query(Message request) {
    RaftRuntime.ReadOnlyRequests handler = readOnly;
    if (handler != null) {
      byte[] content = request.getContent().toByteArray();
      if (handler.accepts(content)) {
        return CompletableFuture.completedFuture(
            Message.valueOf(ByteString.copyFrom(handler.answer(content))));
      }
    }
    long applied = registry.meta().appliedIndex();
    return CompletableFuture.completedFuture(
        Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(applied).flip())));
  }

  @Override
  public long takeSnapshot() throws IOException {
    StoredMeta meta = registry.meta();
    CheckpointStorage.Latest newest = storage.latest();
    if (newest != null && newest.info().getIndex() >= meta.appliedIndex()) {
      // Nothing applied since: that snapshot stands. (A registry restored from a backup stores the
      // old cluster's term until it applies an entry of the new one; a snapshot taken again at its
      // index would carry that term, newer than the log that follows it.)
      return newest.info().getIndex();
    }
    TermIndex ti = TermIndex.valueOf(meta.appliedTerm(), meta.appliedIndex());
    if (ti.getIndex() <= 0) {
      return -1;
    }
    storage.create(ti, registry::checkpoint);
    LOG.info("snapshot taken at {}", ti);
    return ti.getIndex();
  }

  @Override
  public void pause() {
    LifeCycle lc = getLifeCycle();
    if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
      lc.transition(LifeCycle.State.PAUSING);
      lc.transition(LifeCycle.State.PAUSED);
    }
  }

  /**
   * Called by Ratis after it installed a snapshot from the leader into the state-machine directory.
   */
  @Override
  public void reinitialize() throws IOException {
    getLifeCycle()
        .startAndTransition(
            () -> {
              CheckpointStorage.Latest latest = storage.rescan();
              if (latest == null) {
                throw new IOException("no snapshot found after installation");
              }
              registry.restore(latest.dir());
              StoredMeta meta = registry.meta();
              // The stored term is that of the cluster the registry was written in: a backup
              // restored into a new cluster carries the old cluster's term (2) into a snapshot at
              // term 0, and Ratis then refused the next entry as older, (t:1, i:55) < (t:2, i:54),
              // and closed this division (BackupRestoreIT in CI). The log goes on from the
              // snapshot's term, as at start.
              long term = Math.min(meta.appliedTerm(), latest.info().getTerm());
              setLastAppliedTermIndex(TermIndex.valueOf(term, meta.appliedIndex()));
              LOG.info(
                  "installed snapshot {}; registry now at applied index {}",
                  latest.info().getTermIndex(),
                  meta.appliedIndex());
            });
  }

  @Override
  public void notifyLogFailed(Throwable cause, RaftProtos.LogEntryProto failedEntry) {
    events.logFailed(cause, failedEntry == null ? -1 : failedEntry.getIndex());
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    events.leaderChanged(newLeaderId);
  }

  @Override
  public void notifyLeaderReady() {
    events.leaderReady();
  }

  @Override
  public void notifyConfigurationChanged(
      long term, long index, RaftProtos.RaftConfigurationProto conf) {
    List<RaftPeer> voters =
        conf.getPeersList().stream()
            .map(
                p ->
                    RaftPeer.newBuilder()
                        .setId(RaftPeerId.valueOf(p.getId()))
                        .setAddress(p.getAddress())
                        .build())
            .toList();
    List<RaftPeer> listeners =
        conf.getListenersList().stream()
            .map(
                p ->
                    RaftPeer.newBuilder()
                        .setId(RaftPeerId.valueOf(p.getId()))
                        .setAddress(p.getAddress())
                        .build())
            .toList();
    events.configurationChanged(voters, listeners);
  }

  @Override
  public void close() {
    getLifeCycle().checkStateAndClose(() -> {});
  }
}
