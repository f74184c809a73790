package dev.quorumdns.registry.state;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.command.Precondition;
import dev.quorumdns.registry.vip.VipAllocator;
import dev.quorumdns.registry.vip.VipHold;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Runs one command against a transaction: the deterministic heart of {@code apply}. Uses only the
 * command, the staged state and the entry's log time and index. One instance per entry, on the
 * apply thread.
 */
final class Executor implements Command.Visitor<Outcome> {
  private final Txn txn;
  private final long term;
  private final long index;

  /**
   * @param term the term of the log entry being applied
   * @param index its index: the revision of what it changes
   */
  Executor(Txn txn, long term, long index) {
    this.txn = txn;
    this.term = term;
    this.index = index;
  }

  @Override
  public Outcome upsert(Command.UpsertService c) {
    ClusterSettings settings = txn.settings();
    if (settings == null) {
      return new Outcome.NotInitialized();
    }
    ServiceSpec spec = c.spec();
    Outcome missingLease = missingLease(spec);
    if (missingLease != null) {
      return missingLease;
    }
    Service existing = txn.service(c.key());
    Outcome failed = precondition(c.key(), c.precondition(), existing);
    if (failed != null) {
      return failed;
    }
    if (existing != null && existing.spec().headless() != spec.headless()) {
      return new Outcome.Conflict(
          "headless",
          c.key()
              + (existing.spec().headless() ? " is headless" : " has a VIP")
              + "; a registered service never switches between headless and not (delete it first)");
    }
    if (existing != null) {
      Outcome refusal = vipChange("vip4", existing.vip4(), spec.vip4());
      if (refusal == null) {
        refusal = vipChange("vip6", existing.vip6(), spec.vip6());
      }
      if (refusal != null) {
        return refusal;
      }
      if (existing.sameSpec(spec)) {
        return new Outcome.Written(existing, false, false, txn.now());
      }
      Service updated =
          new Service(
              c.key(), spec, existing.vip4(), existing.vip6(), index, existing.createRevision());
      txn.putService(updated);
      return new Outcome.Written(updated, false, true, txn.now());
    }
    if (spec.headless()) {
      Service created = new Service(c.key(), spec, null, null, index, index);
      txn.putService(created);
      return new Outcome.Written(created, true, true, txn.now());
    }
    VipAllocator.Result v4 = VipAllocator.allocate(settings.vip4Pool(), txn, c.key(), spec.vip4());
    if (v4.refusal() != null) {
      return v4.refusal();
    }
    InetAddress vip6 = null;
    if (settings.vip6Pool() != null) {
      VipAllocator.Result v6 =
          VipAllocator.allocate(settings.vip6Pool(), txn, c.key(), spec.vip6());
      if (v6.refusal() != null) {
        return v6.refusal();
      }
      vip6 = v6.vip();
    } else if (spec.vip6() != null) {
      return new Outcome.Invalid(
          "vip6", "IPv6 VIPs are disabled in this cluster (vip6-cidr is empty)");
    }
    Service created =
        new Service(c.key(), spec, (Inet4Address) v4.vip(), (Inet6Address) vip6, index, index);
    txn.removeHold(created.vip4());
    if (vip6 != null) {
      txn.removeHold(vip6);
    }
    txn.putService(created);
    return new Outcome.Written(created, true, true, txn.now());
  }

  /**
   * Refuses an endpoint that names a lease that does not exist (never granted, revoked or expired).
   */
  private Outcome missingLease(ServiceSpec spec) {
    for (int i = 0; i < spec.endpoints().size(); i++) {
      Long lease = spec.endpoints().get(i).lease();
      if (lease != null && txn.lease(lease) == null) {
        return new Outcome.Invalid(
            "endpoints[" + i + "].lease",
            "no lease " + Lease.formatId(lease) + " (never granted, revoked or expired)");
      }
    }
    return null;
  }

  private static Outcome vipChange(String field, InetAddress current, InetAddress requested) {
    if (requested == null || requested.equals(current)) {
      return null;
    }
    return new Outcome.Conflict(
        field,
        "the service holds "
            + (current == null ? "no " + field : IpAddresses.format(current))
            + "; a VIP never changes while its name is registered (delete it first)");
  }

  /**
   * The refusal of a conditional write whose expectation the staged state does not meet, or null.
   */
  private static Outcome precondition(ServiceKey key, Precondition p, Service existing) {
    if (p == null || p.holds(existing)) {
      return null;
    }
    return new Outcome.PreconditionFailed(key, p, existing == null ? 0 : existing.revision());
  }

  @Override
  public Outcome delete(Command.DeleteService c) {
    Service existing = txn.service(c.key());
    Outcome failed = precondition(c.key(), c.precondition(), existing);
    if (failed != null) {
      return failed;
    }
    if (existing == null) {
      return new Outcome.NotFound(c.key());
    }
    txn.removeService(existing);
    long holdDown = txn.settings() == null ? 0 : txn.settings().holdDownMillis();
    if (holdDown > 0 && existing.vip4() != null) {
      long until = txn.now() + holdDown;
      txn.putHold(new VipHold(existing.vip4(), c.key(), until));
      if (existing.vip6() != null) {
        txn.putHold(new VipHold(existing.vip6(), c.key(), until));
      }
    }
    return new Outcome.Deleted(existing, txn.now());
  }

  @Override
  public Outcome batch(Command.Batch c) {
    List<Outcome> outcomes = new ArrayList<>(c.commands().size());
    for (int i = 0; i < c.commands().size(); i++) {
      Outcome o = c.commands().get(i).accept(this);
      if (o.refused()) {
        return new Outcome.BatchRefused(i, o);
      }
      outcomes.add(o);
    }
    return new Outcome.BatchApplied(outcomes);
  }

  @Override
  public Outcome putNode(Command.PutNode c) {
    NodeRecord n = c.node();
    if (n.equals(txn.node(n.id()))) {
      return new Outcome.NodeWritten(n, false);
    }
    txn.putNode(n);
    return new Outcome.NodeWritten(n, true);
  }

  @Override
  public Outcome removeNode(Command.RemoveNode c) {
    if (txn.node(c.id()) == null) {
      return new Outcome.NodeRemoved(c.id(), false);
    }
    txn.removeNode(c.id());
    return new Outcome.NodeRemoved(c.id(), true);
  }

  @Override
  public Outcome initCluster(Command.InitCluster c) {
    ClusterSettings current = txn.settings();
    if (current != null) {
      return new Outcome.Initialized(current, false);
    }
    txn.setSettings(c.settings());
    return new Outcome.Initialized(c.settings(), true);
  }

  @Override
  public Outcome group(Command.Group c) {
    List<Outcome> outcomes = new ArrayList<>(c.commands().size());
    for (Command command : c.commands()) {
      Txn child = txn.child();
      Outcome o = command.accept(new Executor(child, term, index));
      if (!o.refused()) {
        child.mergeIntoParent();
      }
      outcomes.add(o);
    }
    return new Outcome.GroupApplied(outcomes);
  }

  @Override
  public Outcome grantLease(Command.GrantLease c) {
    if (txn.lease(c.id()) != null) {
      return new Outcome.Conflict("id", "lease " + Lease.formatId(c.id()) + " exists already");
    }
    Lease granted = new Lease(c.id(), c.ttlMillis(), txn.now());
    txn.putLease(granted);
    return new Outcome.LeaseGranted(granted);
  }

  @Override
  public Outcome revokeLease(Command.RevokeLease c) {
    if (txn.lease(c.id()) == null) {
      return new Outcome.LeaseNotFound(c.id());
    }
    return endLeases(List.of(c.id()));
  }

  @Override
  public Outcome expireLeases(Command.ExpireLeases c) {
    if (c.term() != 0 && c.term() != term) {
      // Decided by a leader of another term (see Command.ExpireLeases): nothing ends.
      return new Outcome.LeasesEnded(List.of(), List.of());
    }
    return endLeases(c.ids());
  }

  /**
   * Ends the existing leases among {@code ids}, taking their endpoints out of every service that
   * holds one.
   */
  private Outcome.LeasesEnded endLeases(List<Long> ids) {
    List<Lease> ended = new ArrayList<>();
    Set<Long> endedIds = new HashSet<>();
    SortedSet<ServiceKey> touched = new TreeSet<>();
    for (long id : ids) {
      Lease l = txn.lease(id);
      if (l == null || !endedIds.add(id)) {
        continue;
      }
      ended.add(l);
      touched.addAll(txn.leaseUsers(id));
      txn.removeLease(id);
    }
    for (ServiceKey key : touched) {
      Service s = txn.service(key);
      List<Endpoint> kept = new ArrayList<>(s.spec().endpoints().size());
      for (Endpoint e : s.spec().endpoints()) {
        if (e.lease() == null || !endedIds.contains(e.lease())) {
          kept.add(e);
        }
      }
      txn.putService(
          new Service(
              key, s.spec().withEndpoints(kept), s.vip4(), s.vip6(), index, s.createRevision()));
    }
    return new Outcome.LeasesEnded(ended, List.copyOf(touched));
  }

  @Override
  public Outcome readBarrier(Command.ReadBarrier c) {
    return new Outcome.BarrierPassed(index);
  }

  @Override
  public Outcome setEndpointHealth(Command.SetEndpointHealth c) {
    Service existing = txn.service(c.key());
    if (existing == null) {
      return new Outcome.NotFound(c.key());
    }
    List<Endpoint> endpoints = new ArrayList<>(existing.spec().endpoints());
    boolean found = false;
    boolean changed = false;
    for (int i = 0; i < endpoints.size(); i++) {
      Endpoint e = endpoints.get(i);
      if (e.is(c.address(), c.port())) {
        found = true;
        if (e.health() != c.health()) {
          endpoints.set(i, e.withHealth(c.health()));
          changed = true;
        }
      }
    }
    if (!found) {
      return new Outcome.EndpointNotFound(c.key(), c.endpoint());
    }
    if (!changed) {
      return new Outcome.Written(existing, false, false, txn.now());
    }
    Service updated =
        new Service(
            c.key(),
            existing.spec().withEndpoints(endpoints),
            existing.vip4(),
            existing.vip6(),
            index,
            existing.createRevision());
    txn.putService(updated);
    return new Outcome.Written(updated, false, true, txn.now());
  }
}
