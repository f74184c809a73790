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
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * An in-memory {@link NodeRuntime} for tests of the HTTP API: services in a map, VIPs handed out in
 * order from 240.0.0.1, leases with ids 1, 2, ..., a one-member cluster "n1" that is its own
 * leader. {@link #failWritesWith} makes writes end as not sent or unknown; {@link #loseQuorum}
 * makes linearizable reads fail. Synchronized; for one test at a time.
 */
final class FakeRuntime implements NodeRuntime {
  private final Map<ServiceKey, Service> services = new TreeMap<>();
  private final List<String> members = new ArrayList<>(List.of("n1"));
  private long revision;
  private int nextVip = 1;
  private final Map<Long, Long> leases = new TreeMap<>();
  private long nextLease = 1;
  private WriteResult failure;
  private boolean noQuorum;
  private CompletableFuture<Void> removalGate = CompletableFuture.completedFuture(null);
  private int removalsAsked;

  synchronized void failWritesWith(WriteResult result) {
    this.failure = result;
  }

  synchronized void loseQuorum() {
    this.noQuorum = true;
  }

  /** Member removals answer only once {@code gate} completes. */
  synchronized void holdRemovalsUntil(CompletableFuture<Void> gate) {
    this.removalGate = gate;
  }

  synchronized int removalsAsked() {
    return removalsAsked;
  }

  synchronized List<String> members() {
    return List.copyOf(members);
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
    return new View();
  }

  @Override
  public RegistrySnapshot readSnapshot() throws IOException {
    throw new IOException("the fake runtime keeps no change log");
  }

  @Override
  public void onRevision(LongConsumer listener) {}

  @Override
  public Outcome precheck(Command command) {
    return null;
  }

  @Override
  public synchronized CompletableFuture<WriteResult> submit(Command command) {
    if (failure != null) {
      return CompletableFuture.completedFuture(failure);
    }
    return CompletableFuture.completedFuture(new WriteResult.Applied(apply(command)));
  }

  private Outcome apply(Command command) {
    if (command instanceof Command.UpsertService u) {
      Service old = services.get(u.key());
      revision++;
      Service s =
          new Service(
              u.key(),
              u.spec(),
              u.spec().headless() ? null : old == null ? vip() : old.vip4(),
              null,
              revision,
              old == null ? revision : old.createRevision());
      services.put(u.key(), s);
      return new Outcome.Written(s, old == null, old == null || !old.sameSpec(u.spec()));
    }
    if (command instanceof Command.DeleteService d) {
      Service old = services.remove(d.key());
      if (old == null) {
        return new Outcome.NotFound(d.key());
      }
      revision++;
      return new Outcome.Deleted(old);
    }
    if (command instanceof Command.Batch b) {
      List<Outcome> outcomes = new ArrayList<>();
      b.commands().forEach(c -> outcomes.add(apply(c)));
      return new Outcome.BatchApplied(outcomes);
    }
    if (command instanceof Command.RemoveNode r) {
      return new Outcome.NodeRemoved(r.id(), false);
    }
    if (command instanceof Command.RevokeLease r) {
      Long ttl = leases.remove(r.id());
      return ttl == null
          ? new Outcome.LeaseNotFound(r.id())
          : new Outcome.LeasesEnded(List.of(new Lease(r.id(), ttl, 0)), List.of());
    }
    if (command instanceof Command.SetEndpointHealth h) {
      Service old = services.get(h.key());
      if (old == null) {
        return new Outcome.NotFound(h.key());
      }
      List<Endpoint> endpoints = new ArrayList<>();
      boolean found = false;
      for (Endpoint e : old.spec().endpoints()) {
        found |= e.is(h.address(), h.port());
        endpoints.add(e.is(h.address(), h.port()) ? e.withHealth(h.health()) : e);
      }
      if (!found) {
        return new Outcome.EndpointNotFound(h.key(), h.endpoint());
      }
      revision++;
      Service s =
          new Service(
              h.key(),
              old.spec().withEndpoints(endpoints),
              old.vip4(),
              null,
              revision,
              old.createRevision());
      services.put(h.key(), s);
      return new Outcome.Written(s, false, true);
    }
    throw new IllegalArgumentException("the fake does not apply " + command);
  }

  private Inet4Address vip() {
    try {
      return (Inet4Address)
          InetAddress.getByAddress(new byte[] {(byte) 240, 0, 0, (byte) nextVip++});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized CompletableFuture<WriteResult> grantLease(long ttlMillis) {
    if (failure != null) {
      return CompletableFuture.completedFuture(failure);
    }
    long id = nextLease++;
    leases.put(id, ttlMillis);
    return CompletableFuture.completedFuture(
        new WriteResult.Applied(new Outcome.LeaseGranted(new Lease(id, ttlMillis, 0))));
  }

  @Override
  public synchronized CompletableFuture<LeaseStatus> keepAliveLease(long id) {
    return leaseStatus(id);
  }

  @Override
  public synchronized CompletableFuture<LeaseStatus> leaseStatus(long id) {
    if (noQuorum) {
      return CompletableFuture.failedFuture(
          new NodeException(NodeException.Kind.NO_QUORUM, "no leader"));
    }
    Long ttl = leases.get(id);
    return ttl == null
        ? CompletableFuture.failedFuture(
            new NodeException(
                NodeException.Kind.NOT_FOUND, "lease", "no lease " + Lease.formatId(id)))
        : CompletableFuture.completedFuture(new LeaseStatus(id, ttl, ttl, 0));
  }

  @Override
  public synchronized CompletableFuture<Long> readBarrier() {
    return noQuorum
        ? CompletableFuture.failedFuture(
            new NodeException(NodeException.Kind.NO_QUORUM, "no leader"))
        : CompletableFuture.completedFuture(revision);
  }

  @Override
  public synchronized ClusterStatus clusterStatus() {
    List<ClusterStatus.Member> list = new ArrayList<>();
    for (String id : members) {
      list.add(
          new ClusterStatus.Member(
              id,
              id.equals("n1") ? ClusterStatus.Role.LEADER : ClusterStatus.Role.FOLLOWER,
              "127.0.0.1:9053",
              null,
              null));
    }
    return new ClusterStatus(
        "n1",
        "n1",
        1L,
        revision,
        revision,
        revision,
        services.size(),
        list,
        ClusterSettings.defaults());
  }

  @Override
  public synchronized FormationInfo formation() {
    List<FormationInfo.Peer> voters = new ArrayList<>();
    members.forEach(id -> voters.add(new FormationInfo.Peer(id, "127.0.0.1:9053")));
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
        voters,
        List.of(),
        true,
        "member");
  }

  @Override
  public synchronized CompletableFuture<ClusterStatus> addMember(
      String id, HostPort raft, boolean listener) {
    if (members.contains(id)) {
      return CompletableFuture.failedFuture(
          new NodeException(NodeException.Kind.CONFLICT, "id", id + " is already a member"));
    }
    members.add(id);
    return CompletableFuture.completedFuture(clusterStatus());
  }

  @Override
  public synchronized CompletableFuture<ClusterStatus> removeMember(String id) {
    removalsAsked++;
    if (!members.remove(id)) {
      return CompletableFuture.failedFuture(
          new NodeException(NodeException.Kind.NOT_FOUND, id + " is not a member"));
    }
    ClusterStatus status = clusterStatus();
    return removalGate.thenApply(v -> status);
  }

  @Override
  public CompletableFuture<SnapshotInfo> snapshot() {
    return CompletableFuture.completedFuture(
        new SnapshotInfo(7, Path.of("/snapshots/snapshot.1_7")));
  }

  /** Two small files, as a checkpoint would hold; deleted when the copy is closed. */
  @Override
  public CompletableFuture<SnapshotCopy> snapshotCopy() {
    try {
      Path dir = Files.createTempDirectory("fake-snapshot");
      Files.writeString(dir.resolve("CURRENT"), "MANIFEST-000001\n");
      Files.write(dir.resolve("000001.sst"), new byte[700]);
      return CompletableFuture.completedFuture(
          new SnapshotCopy(
              "quorumdns",
              "n1",
              1,
              7,
              Instant.parse("2026-12-05T00:00:00Z"),
              dir,
              List.of("000001.sst", "CURRENT"),
              () -> {
                try {
                  Files.deleteIfExists(dir.resolve("CURRENT"));
                  Files.deleteIfExists(dir.resolve("000001.sst"));
                  Files.deleteIfExists(dir);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public Readiness readiness() {
    return new Readiness(true, "ok");
  }

  @Override
  public List<ZoneRecord> records() {
    return List.of(new ZoneRecord("mesh.internal.", "NS", 60, "n1.node.mesh.internal."));
  }

  /** The read model over the map, as of each call. */
  private final class View implements RegistryView {
    @Override
    public boolean isLoaded() {
      return true;
    }

    @Override
    public long revision() {
      synchronized (FakeRuntime.this) {
        return revision;
      }
    }

    @Override
    public long appliedIndex() {
      return revision();
    }

    @Override
    public Service get(ServiceKey key) {
      synchronized (FakeRuntime.this) {
        return services.get(key);
      }
    }

    @Override
    public boolean hasNamespace(String namespace) {
      return !services(namespace).isEmpty();
    }

    @Override
    public Service byVip(InetAddress vip) {
      return services().stream().filter(s -> s.vip4().equals(vip)).findFirst().orElse(null);
    }

    @Override
    public List<Service> services() {
      synchronized (FakeRuntime.this) {
        return List.copyOf(services.values());
      }
    }

    @Override
    public List<Service> services(String namespace) {
      return services().stream().filter(s -> s.key().namespace().equals(namespace)).toList();
    }

    @Override
    public int size() {
      return services().size();
    }

    @Override
    public NodeRecord node(String id) {
      return null;
    }

    @Override
    public Collection<NodeRecord> nodes() {
      return List.of();
    }

    @Override
    public Set<String> voters() {
      return Set.of("n1");
    }

    @Override
    public Optional<ClusterSettings> settings() {
      return Optional.of(ClusterSettings.defaults());
    }
  }
}
