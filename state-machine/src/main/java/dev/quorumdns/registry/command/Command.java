package dev.quorumdns.registry.command;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.ValidationException;
import java.util.List;
import java.util.Objects;

/**
 * The changes a client can ask the replicated registry to make. Immutable values; validated when
 * built.
 */
public sealed interface Command {

  /** Calls the visitor method for this command's type. */
  <R> R accept(Visitor<R> v);

  /**
   * One method per command type, so code that handles commands is checked for completeness by the
   * compiler.
   */
  interface Visitor<R> {
    R upsert(UpsertService c);

    R delete(DeleteService c);

    R batch(Batch c);

    R putNode(PutNode c);

    R removeNode(RemoveNode c);

    R initCluster(InitCluster c);

    R group(Group c);

    R grantLease(GrantLease c);

    R revokeLease(RevokeLease c);

    R expireLeases(ExpireLeases c);

    R setEndpointHealth(SetEndpointHealth c);

    R readBarrier(ReadBarrier c);
  }

  /**
   * Creates or updates a service; an update keeps the service's VIPs.
   *
   * @param precondition what the service must be for the command to apply, or null for an
   *     unconditional write
   */
  record UpsertService(ServiceKey key, ServiceSpec spec, Precondition precondition)
      implements Command {
    public UpsertService {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(spec, "spec");
    }

    /** An unconditional create or update. */
    public UpsertService(ServiceKey key, ServiceSpec spec) {
      this(key, spec, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.upsert(this);
    }
  }

  /**
   * Deletes a service, putting its VIPs into hold-down.
   *
   * @param precondition what the service must be for the command to apply, or null for an
   *     unconditional delete
   */
  record DeleteService(ServiceKey key, Precondition precondition) implements Command {
    public DeleteService {
      Objects.requireNonNull(key, "key");
      if (precondition instanceof Precondition.Absent) {
        throw new ValidationException(
            "precondition", "a delete cannot require the service to be absent");
      }
    }

    /** An unconditional delete. */
    public DeleteService(ServiceKey key) {
      this(key, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.delete(this);
    }
  }

  /** Service upserts and deletes applied all together or not at all. */
  record Batch(List<Command> commands) implements Command {
    public static final int MAX_COMMANDS = 1000;

    public Batch {
      commands = List.copyOf(commands);
      if (commands.isEmpty()) {
        throw new ValidationException(
            "operations", "is empty (expected: 1.." + MAX_COMMANDS + " operations)");
      }
      if (commands.size() > MAX_COMMANDS) {
        throw new ValidationException(
            "operations",
            "has " + commands.size() + " entries (expected: at most " + MAX_COMMANDS + ")");
      }
      for (int i = 0; i < commands.size(); i++) {
        Command c = commands.get(i);
        if (!(c instanceof UpsertService) && !(c instanceof DeleteService)) {
          throw new ValidationException(
              "operations[" + i + "]", "only service upserts and deletes may be batched");
        }
      }
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.batch(this);
    }
  }

  /** Publishes where a member can be reached. */
  record PutNode(NodeRecord node) implements Command {
    public PutNode {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.putNode(this);
    }
  }

  /** Removes a member's published record. */
  record RemoveNode(String id) implements Command {
    public RemoveNode {
      id = DnsLabel.normalize("id", id);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.removeNode(this);
    }
  }

  /**
   * Changes nothing: a linearizable read waits until this entry is committed and applied on the
   * node that serves it. Only a leader of the current term can commit it, so a leader cut off from
   * the majority (which still believes it leads) cannot pass a read that misses writes its
   * successor acknowledged. Ratis' own read index is not enough: it answers a read at once, without
   * asking the followers, when its commit index has not moved since the last confirmed read, which
   * is exactly the case for a leader cut off from the majority (chaos run short-2611323: a read of
   * the isolated leader returned a value six entries old, 30 ms after the new leader acknowledged
   * the update).
   */
  record ReadBarrier() implements Command {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.readBarrier(this);
    }
  }

  /** Fixes the cluster-wide settings; only the first one takes effect. */
  record InitCluster(ClusterSettings settings) implements Command {
    public InitCluster {
      Objects.requireNonNull(settings, "settings");
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.initCluster(this);
    }
  }

  /**
   * Independent commands carried in one log entry (group commit): applied in order, each with its
   * own outcome; a refused one changes nothing but does not stop the others.
   */
  record Group(List<Command> commands) implements Command {
    public static final int MAX_COMMANDS = 4096;

    public Group {
      commands = List.copyOf(commands);
      if (commands.isEmpty() || commands.size() > MAX_COMMANDS) {
        throw new ValidationException(
            "commands", commands.size() + " (expected: 1.." + MAX_COMMANDS + ")");
      }
      for (Command c : commands) {
        if (c instanceof Group) {
          throw new ValidationException("commands", "a group cannot contain a group");
        }
      }
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.group(this);
    }
  }

  /**
   * Grants a lease. The id is chosen at random by the node that takes the request, so that apply
   * stays deterministic; an id already in use is refused ({@link Outcome.Conflict} on {@code id})
   * and the node picks another.
   */
  record GrantLease(long id, long ttlMillis) implements Command {
    public GrantLease {
      Lease.checkId("id", id);
      Lease.checkTtl("ttl", ttlMillis);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.grantLease(this);
    }
  }

  /** Revokes a lease at a client's request: its endpoints leave their services. */
  record RevokeLease(long id) implements Command {
    public RevokeLease {
      Lease.checkId("id", id);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.revokeLease(this);
    }
  }

  /**
   * Ends leases whose deadline passed, as the leader decided: their endpoints leave their services.
   * Ids that no longer exist are skipped (a lease revoked meanwhile, an expiry proposed twice).
   *
   * <p>{@code term} is the term of the leader that tracked the deadlines. Deadlines live in that
   * leader's memory, and a later leader restarts every TTL and takes keepalives of its own, so the
   * decision only holds in an entry of that same term: a leader deposed while paused decides, on
   * resuming, that every lease ran out, and that proposal (sent on to the new leader like any
   * write) must not end leases the new leader is keeping alive. 0: not fenced (entries written
   * before the term was carried).
   */
  record ExpireLeases(List<Long> ids, long term) implements Command {
    public static final int MAX_IDS = 1000;

    public ExpireLeases {
      ids = List.copyOf(ids);
      if (ids.isEmpty() || ids.size() > MAX_IDS) {
        throw new ValidationException("ids", ids.size() + " (expected: 1.." + MAX_IDS + ")");
      }
      ids.forEach(id -> Lease.checkId("ids", id));
      if (term < 0) {
        throw new ValidationException("term", term + " (expected: 0 or more)");
      }
    }

    /** An expiry not fenced by a term, as entries written before the term was carried. */
    public ExpireLeases(List<Long> ids) {
      this(ids, 0);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.expireLeases(this);
    }
  }

  /**
   * Sets the health of a service's endpoint {@code address} with {@code port} (null: the endpoint
   * registered without one); every endpoint of the service registered so gets it.
   */
  record SetEndpointHealth(ServiceKey key, String address, Integer port, Health health)
      implements Command {
    public SetEndpointHealth {
      Objects.requireNonNull(key, "key");
      Endpoint e = new Endpoint(address, port, null);
      address = e.address();
      if (health == null) {
        throw new ValidationException(
            "health", "is required (expected: passing, warning or critical)");
      }
    }

    /**
     * The endpoint as the API names it: {@code address}, {@code address:port} or {@code [v6]:port}.
     */
    public String endpoint() {
      String a = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
      return port == null ? a : a + ":" + port;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.setEndpointHealth(this);
    }
  }
}
