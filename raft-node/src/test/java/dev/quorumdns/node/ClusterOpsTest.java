package dev.quorumdns.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.node.config.HostPort;
import dev.quorumdns.node.raft.RaftRuntime;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.ClusterStatus.Role;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * Cluster status and membership changes against a fake Raft: roles as this node sees them,
 * addresses from the published records, and every refusal as the runtime's exception (kind and
 * field) with nothing changed.
 */
class ClusterOpsTest {
  /** A configuration that changes only when told to, and records what it was asked. */
  private static final class FakeRaft implements RaftMembership {
    RaftPeerId leader = RaftPeerId.valueOf("n1");
    RaftPeerRole role = RaftPeerRole.LEADER;
    RaftRuntime.Members members =
        new RaftRuntime.Members(List.of(peer("n1"), peer("n2"), peer("n3")), List.of());
    IOException refuse;

    boolean running = true;
    final List<RaftRuntime.Members> changes = new ArrayList<>();

    @Override
    public RaftPeerId leader() {
      return leader;
    }

    @Override
    public State state() throws IOException {
      if (!running) {
        throw new IOException("raft not running");
      }
      return new State(role, 4, 42);
    }

    @Override
    public RaftRuntime.Members members() throws IOException {
      if (!running) {
        throw new IOException("no configuration");
      }
      return members;
    }

    @Override
    public void setMembers(RaftRuntime.Members current, RaftRuntime.Members next)
        throws IOException {
      if (refuse != null) {
        throw refuse;
      }
      changes.add(next);
      members = next;
    }
  }

  private static RaftPeer peer(String id) {
    return RaftPeer.newBuilder()
        .setId(id)
        .setAddress("10.0.0." + id.substring(1) + ":9053")
        .build();
  }

  /** A read model holding only node records and settings (ClusterOps reads nothing else). */
  private static final class Records implements RegistryView {
    final Map<String, NodeRecord> nodes;

    Records(Map<String, NodeRecord> nodes) {
      this.nodes = nodes;
    }

    @Override
    public boolean isLoaded() {
      return true;
    }

    @Override
    public long revision() {
      return 17;
    }

    @Override
    public long appliedIndex() {
      return 42;
    }

    @Override
    public Service get(ServiceKey key) {
      return null;
    }

    @Override
    public boolean hasNamespace(String namespace) {
      return false;
    }

    @Override
    public Service byVip(InetAddress vip) {
      return null;
    }

    @Override
    public List<Service> services() {
      return List.of();
    }

    @Override
    public List<Service> services(String namespace) {
      return List.of();
    }

    @Override
    public int size() {
      return 3;
    }

    @Override
    public NodeRecord node(String id) {
      return nodes.get(id);
    }

    @Override
    public Collection<NodeRecord> nodes() {
      return nodes.values();
    }

    @Override
    public Set<String> voters() {
      return Set.of();
    }

    @Override
    public Optional<ClusterSettings> settings() {
      return Optional.of(ClusterSettings.defaults());
    }
  }

  private final FakeRaft raft = new FakeRaft();
  private final List<Command> submitted = new ArrayList<>();
  private final ClusterOps ops =
      new ClusterOps(
          "n2",
          raft,
          new Records(
              Map.of(
                  "n1",
                  new NodeRecord("n1", IpAddresses.parse("a", "10.0.0.1"), 9053, 8053, 53535))),
          Runnable::run,
          submitted::add);

  private static NodeException nodeError(Runnable r) {
    CompletionException e = assertThrows(CompletionException.class, r::run);
    return assertInstanceOf(NodeException.class, e.getCause());
  }

  @Test
  void statusShowsRolesAsThisNodeSeesThemAndPublishedAddresses() {
    raft.members = new RaftRuntime.Members(List.of(peer("n1"), peer("n2")), List.of(peer("n3")));
    raft.role = RaftPeerRole.CANDIDATE;
    ClusterStatus s = ops.status();
    assertEquals("n2", s.id());
    assertEquals("n1", s.leader());
    assertEquals(4L, s.term());
    assertEquals(42L, s.commitIndex());
    assertEquals(17, s.revision());
    assertEquals(3, s.services());
    assertEquals(ClusterSettings.defaults(), s.settings());
    assertEquals(
        List.of(
            new ClusterStatus.Member(
                "n1", Role.LEADER, "10.0.0.1:9053", "10.0.0.1:8053", "10.0.0.1:53535"),
            new ClusterStatus.Member("n2", Role.CANDIDATE, "10.0.0.2:9053", null, null),
            new ClusterStatus.Member("n3", Role.LISTENER, "10.0.0.3:9053", null, null)),
        s.members());
  }

  @Test
  void withoutRaftTheStatusHasNoTermAndNoMembers() {
    raft.running = false;
    raft.leader = null;
    ClusterStatus s = ops.status();
    assertNull(s.leader());
    assertNull(s.term());
    assertNull(s.commitIndex());
    assertEquals(List.of(), s.members());
    assertEquals(42, s.appliedIndex(), "the replica's own index is known anyway");
  }

  @Test
  void addingAVoterOrAListenerChangesTheConfigurationOnce() {
    ClusterStatus s = ops.add("n4", new HostPort("10.0.0.4", 9053), false).join();
    assertEquals(4, s.members().size());
    ops.add("l1", new HostPort("10.0.0.9", 9053), true).join();
    assertEquals(2, raft.changes.size());
    assertEquals(
        List.of("n1", "n2", "n3", "n4"),
        raft.members.voters().stream().map(p -> p.getId().toString()).toList());
    assertEquals("10.0.0.9:9053", raft.members.listeners().get(0).getAddress());
  }

  @Test
  void addingAMemberTwiceIsAConflictOnId() {
    NodeException e = nodeError(() -> ops.add("n3", new HostPort("10.0.0.3", 9053), false).join());
    assertEquals(NodeException.Kind.CONFLICT, e.kind());
    assertEquals("id", e.field());
    assertEquals(List.of(), raft.changes);
  }

  @Test
  void removingAMemberAlsoRemovesItsPublishedRecord() {
    ClusterStatus s = ops.remove("n3").join();
    assertEquals(2, s.members().size());
    assertEquals(List.of(new Command.RemoveNode("n3")), submitted);
  }

  @Test
  void removingAStrangerIsNotFoundAndTheLastVoterIsInvalid() {
    assertEquals(NodeException.Kind.NOT_FOUND, nodeError(() -> ops.remove("n9").join()).kind());
    raft.members = new RaftRuntime.Members(List.of(peer("n2")), List.of(peer("n3")));
    CompletionException e = assertThrows(CompletionException.class, () -> ops.remove("n2").join());
    assertEquals("id", assertInstanceOf(ValidationException.class, e.getCause()).field());
    assertEquals(List.of(), raft.changes);
    assertEquals(List.of(), submitted);
  }

  @Test
  void aRefusedChangeIsAConflictAndAnUnansweredOneIsUnknown() {
    raft.refuse = new SetConfigurationException("configuration changed meanwhile");
    NodeException refused =
        nodeError(() -> ops.add("n4", new HostPort("10.0.0.4", 9053), false).join());
    assertEquals(NodeException.Kind.CONFLICT, refused.kind());
    raft.refuse = new IOException("timed out");
    NodeException unknown = nodeError(() -> ops.remove("n3").join());
    assertEquals(NodeException.Kind.OUTCOME_UNKNOWN, unknown.kind());
    assertEquals(List.of(), submitted, "the record stays until the removal is known");
  }

  @Test
  void withoutAConfigurationChangesAreNoQuorum() {
    raft.running = false;
    assertEquals(
        NodeException.Kind.NO_QUORUM,
        nodeError(() -> ops.add("n4", new HostPort("h", 1), false).join()).kind());
    assertEquals(NodeException.Kind.NO_QUORUM, nodeError(() -> ops.remove("n1").join()).kind());
  }
}
