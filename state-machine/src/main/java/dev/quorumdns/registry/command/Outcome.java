package dev.quorumdns.registry.command;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import java.util.List;
import java.util.Objects;

/**
 * The result of applying one command. Domain refusals are outcomes, not exceptions: a refused
 * command changed nothing. Immutable.
 */
public sealed interface Outcome {

  /** Calls the visitor method for this outcome's type. */
  <R> R accept(Visitor<R> v);

  /** One method per outcome type. */
  interface Visitor<R> {
    R written(Written o);

    R deleted(Deleted o);

    R notFound(NotFound o);

    R conflict(Conflict o);

    R invalid(Invalid o);

    R poolExhausted(PoolExhausted o);

    R notInitialized(NotInitialized o);

    R nodeWritten(NodeWritten o);

    R nodeRemoved(NodeRemoved o);

    R initialized(Initialized o);

    R batchApplied(BatchApplied o);

    R batchRefused(BatchRefused o);

    R alreadyApplied(AlreadyApplied o);

    R barrierPassed(BarrierPassed o);

    R groupApplied(GroupApplied o);

    R preconditionFailed(PreconditionFailed o);

    R leaseGranted(LeaseGranted o);

    R leasesEnded(LeasesEnded o);

    R leaseNotFound(LeaseNotFound o);

    R endpointNotFound(EndpointNotFound o);
  }

  /** True if the command was refused and changed nothing. */
  default boolean refused() {
    return false;
  }

  /**
   * A service was created or updated ({@code changed} is false when the same spec was sent again).
   *
   * @param logTimeMillis the log time of the entry that wrote it (the leader's stamp, raised to the
   *     newest seen so it never goes back; what hold-downs and leases are measured by), or 0 when
   *     not known (an outcome in the first outcome format)
   */
  record Written(Service service, boolean created, boolean changed, long logTimeMillis)
      implements Outcome {
    public Written(Service service, boolean created, boolean changed) {
      this(service, created, changed, 0);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.written(this);
    }
  }

  /**
   * A service was deleted; this is what it was.
   *
   * @param logTimeMillis the log time of the entry that deleted it (from then its VIPs are held
   *     down), or 0 when not known (an outcome in the first outcome format)
   */
  record Deleted(Service service, long logTimeMillis) implements Outcome {
    public Deleted(Service service) {
      this(service, 0);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.deleted(this);
    }
  }

  /** Nothing is registered under the key. */
  record NotFound(ServiceKey key) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.notFound(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** The command clashes with the registry's state (a VIP held by another name, a VIP change). */
  record Conflict(String field, String message) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.conflict(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** The command is invalid against the cluster settings (a static VIP outside the pool). */
  record Invalid(String field, String message) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.invalid(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** No free address is left in the pool. */
  record PoolExhausted(String field, String pool) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.poolExhausted(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** Services cannot be written before the first leader has fixed the cluster settings. */
  record NotInitialized() implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.notInitialized(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** A node record was published ({@code changed} is false if it was already so). */
  record NodeWritten(NodeRecord node, boolean changed) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.nodeWritten(this);
    }
  }

  /** A node record was removed, or was not there. */
  record NodeRemoved(String id, boolean existed) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.nodeRemoved(this);
    }
  }

  /** The cluster settings in force after the command. */
  record Initialized(ClusterSettings settings, boolean changed) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.initialized(this);
    }
  }

  /** Every command of a batch was applied. */
  record BatchApplied(List<Outcome> outcomes) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.batchApplied(this);
    }

    public BatchApplied {
      outcomes = List.copyOf(outcomes);
    }
  }

  /** A batch was refused because command {@code index} was; nothing of the batch was applied. */
  record BatchRefused(int index, Outcome cause) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.batchRefused(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** A {@link Command.ReadBarrier} applied at {@code index}: reads that wait for it are current. */
  record BarrierPassed(long index) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.barrierPassed(this);
    }
  }

  /** The entry was already in the stored state (replay after restart); nothing was done. */
  record AlreadyApplied(long index) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.alreadyApplied(this);
    }
  }

  /** The outcome of each command of a {@link Command.Group}, in order. */
  record GroupApplied(List<Outcome> outcomes) implements Outcome {
    public GroupApplied {
      outcomes = List.copyOf(outcomes);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.groupApplied(this);
    }
  }

  /**
   * A conditional write found the service otherwise than it expected; nothing changed.
   *
   * @param currentRevision the service's revision as the entry found it, 0 when nothing was
   *     registered
   */
  record PreconditionFailed(ServiceKey key, Precondition expected, long currentRevision)
      implements Outcome {
    public PreconditionFailed {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(expected, "expected");
      if (currentRevision < 0) {
        throw new IllegalArgumentException("current revision " + currentRevision);
      }
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.preconditionFailed(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /** A lease was granted. */
  record LeaseGranted(Lease lease) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leaseGranted(this);
    }
  }

  /**
   * Leases were revoked or expired: which ones (of those the command named, the ones that existed),
   * and the services that lost endpoints with them, in key order.
   */
  record LeasesEnded(List<Lease> leases, List<ServiceKey> services) implements Outcome {
    public LeasesEnded {
      leases = List.copyOf(leases);
      services = List.copyOf(services);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leasesEnded(this);
    }
  }

  /** No lease has this id (never granted, revoked or expired). */
  record LeaseNotFound(long id) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leaseNotFound(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }

  /**
   * The service has no endpoint by this name ({@code address}, {@code address:port} or {@code
   * [v6]:port}).
   */
  record EndpointNotFound(ServiceKey key, String endpoint) implements Outcome {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.endpointNotFound(this);
    }

    @Override
    public boolean refused() {
      return true;
    }
  }
}
