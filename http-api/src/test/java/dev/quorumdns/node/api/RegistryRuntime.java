package dev.quorumdns.node.api;

import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.LeaseStatus;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.node.runtime.Readiness;
import dev.quorumdns.node.runtime.SnapshotCopy;
import dev.quorumdns.node.runtime.SnapshotInfo;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.node.runtime.ZoneRecord;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A {@link NodeRuntime} over a real registry (RocksDB, change log, revision listeners) without
 * Raft: each write is applied at the next index, in the caller's thread, with log time from a
 * counter. For tests of what the API builds on the replica (watches, blocking reads, conditional
 * writes). Writes are synchronized.
 */
final class RegistryRuntime implements NodeRuntime, AutoCloseable {
  private final Registry registry;
  private long logTime = 1_700_000_000_000L;

  RegistryRuntime(Path dir, Retention retention) {
    registry = new Registry(dir, new SimpleMeterRegistry(), retention);
    try {
      registry.load();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    apply(new Command.InitCluster(ClusterSettings.defaults()));
  }

  RegistryRuntime(Path dir) {
    this(dir, Retention.DEFAULT);
  }

  /** Applies {@code command} now, as the next entry. */
  synchronized Outcome apply(Command command) {
    try {
      return registry.apply(
          1, registry.meta().appliedIndex() + 1, new LogEntry(logTime++, command));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String nodeId() {
    return "n1";
  }

  @Override
  public String domain() {
    return "mesh.internal";
  }

  @Override
  public RegistryView view() {
    return registry.view();
  }

  /** While set, the replica cannot be read, as a node's while it is held after a restart. */
  volatile boolean held;

  @Override
  public RegistrySnapshot readSnapshot() throws IOException {
    if (held) {
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
    return CompletableFuture.completedFuture(new WriteResult.Applied(apply(command)));
  }

  @Override
  public CompletableFuture<Long> readBarrier() {
    return CompletableFuture.completedFuture(registry.view().appliedIndex());
  }

  @Override
  public ClusterStatus clusterStatus() {
    RegistryView v = registry.view();
    return new ClusterStatus(
        "n1",
        "n1",
        1L,
        v.appliedIndex(),
        v.appliedIndex(),
        v.revision(),
        v.size(),
        List.of(),
        v.settings().orElse(null));
  }

  @Override
  public CompletableFuture<ClusterStatus> addMember(String id, HostPort raft, boolean listener) {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.CONFLICT, "not in this test"));
  }

  @Override
  public CompletableFuture<ClusterStatus> removeMember(String id) {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.NOT_FOUND, "not in this test"));
  }

  @Override
  public CompletableFuture<SnapshotInfo> snapshot() {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.SNAPSHOT_FAILED, "not in this test"));
  }

  @Override
  public CompletableFuture<WriteResult> grantLease(long ttlMillis) {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.CONFLICT, "not in this test"));
  }

  @Override
  public CompletableFuture<LeaseStatus> keepAliveLease(long id) {
    return leaseStatus(id);
  }

  @Override
  public CompletableFuture<LeaseStatus> leaseStatus(long id) {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.NOT_FOUND, "not in this test"));
  }

  @Override
  public FormationInfo formation() {
    return new FormationInfo(
        "n1",
        "quorumdns",
        "127.0.0.1:9053",
        "127.0.0.1:8053",
        0,
        FormationInfo.Phase.MEMBER,
        null,
        null,
        "n1",
        List.of(new FormationInfo.Peer("n1", "127.0.0.1:9053")),
        List.of(),
        true,
        "member");
  }

  @Override
  public CompletableFuture<SnapshotCopy> snapshotCopy() {
    return CompletableFuture.failedFuture(
        new NodeException(NodeException.Kind.SNAPSHOT_FAILED, "not in this test"));
  }

  @Override
  public Readiness readiness() {
    return new Readiness(true, "ok");
  }

  @Override
  public List<ZoneRecord> records() {
    return List.of();
  }

  @Override
  public void close() {
    registry.close();
  }
}
