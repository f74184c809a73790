package dev.quorumdns.registry.codec;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.command.Precondition;
import dev.quorumdns.registry.vip.VipHold;
import dev.quorumdns.registry.vip.VipPool;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixed values whose encodings are pinned in {@code src/test/resources/golden/}. */
final class GoldenCases {
  private GoldenCases() {}

  static final ServiceKey KEY = new ServiceKey("prod", "web");
  static final ServiceSpec SPEC =
      new ServiceSpec(
          List.of(
              new ServicePort("http", Protocol.TCP, 80), new ServicePort(null, Protocol.UDP, 5353)),
          List.of(new Endpoint("10.1.0.5", 8080, 10), new Endpoint("db.example.com", null, null)),
          Map.of("team", "web", "tier", "front"),
          (Inet4Address) IpAddresses.parse("vip4", "240.0.0.9"),
          (Inet6Address) IpAddresses.parse("vip6", "fd00:fd00::9"));
  static final Service SERVICE =
      new Service(
          KEY,
          SPEC,
          (Inet4Address) IpAddresses.parse("v", "240.0.0.9"),
          (Inet6Address) IpAddresses.parse("v", "fd00:fd00::9"),
          42,
          7);
  static final NodeRecord NODE =
      new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 9053, 8053, 53535);
  static final ClusterSettings SETTINGS =
      new ClusterSettings(
          VipPool.parse("v", "240.0.0.0/4"), VipPool.parse("v", "fd00:fd00::/64"), 600_000);
  static final Lease LEASE = new Lease(0x694d7e0f2b8d3a0bL, 15_000, 1_700_000_000_123L);

  /** Format 2: endpoints with a health and a lease. */
  static final ServiceSpec SPEC_STATUS =
      new ServiceSpec(
          SPEC.ports(),
          List.of(
              new Endpoint("10.1.0.5", 8080, 10, Health.WARNING, LEASE.id()),
              new Endpoint("db.example.com", null, null, Health.CRITICAL, null),
              new Endpoint("fd00::1", 80, null, Health.PASSING, 1L)),
          SPEC.labels(),
          null,
          null);

  /** Format 2: headless, every endpoint passing and without a lease. */
  static final ServiceSpec SPEC_HEADLESS =
      new ServiceSpec(SPEC.ports(), SPEC.endpoints(), Map.of(), null, null, true);

  static final Service SERVICE_STATUS =
      new Service(
          KEY, SPEC_STATUS, (Inet4Address) IpAddresses.parse("v", "240.0.0.9"), null, 43, 7);
  static final Service SERVICE_HEADLESS = new Service(KEY, SPEC_HEADLESS, null, null, 44, 44);
  static final VipHold HOLD =
      new VipHold(IpAddresses.parse("v", "240.0.0.9"), KEY, 1_700_000_600_000L);

  /** Every command type, by golden file name. */
  static Map<String, Command> commands() {
    Map<String, Command> m = new LinkedHashMap<>();
    m.put("upsert", new Command.UpsertService(KEY, SPEC));
    m.put("delete", new Command.DeleteService(KEY));
    m.put(
        "batch",
        new Command.Batch(
            List.of(
                new Command.UpsertService(new ServiceKey("prod", "api"), ServiceSpec.ofPorts()),
                new Command.DeleteService(KEY))));
    m.put("put-node", new Command.PutNode(NODE));
    m.put("remove-node", new Command.RemoveNode("n2"));
    m.put("init-cluster", new Command.InitCluster(SETTINGS));
    m.put(
        "group",
        new Command.Group(
            List.of(
                new Command.DeleteService(KEY),
                new Command.Batch(List.of(new Command.DeleteService(new ServiceKey("a", "b")))),
                new Command.PutNode(NODE))));
    m.put("upsert-endpoint-status", new Command.UpsertService(KEY, SPEC_STATUS));
    m.put("upsert-headless", new Command.UpsertService(KEY, SPEC_HEADLESS));
    m.put("grant-lease", new Command.GrantLease(LEASE.id(), LEASE.ttlMillis()));
    m.put("revoke-lease", new Command.RevokeLease(LEASE.id()));
    m.put("expire-leases", new Command.ExpireLeases(List.of(LEASE.id(), 7L)));
    m.put("expire-leases-in-term", new Command.ExpireLeases(List.of(LEASE.id(), 7L), 31));
    m.put("read-barrier", new Command.ReadBarrier());
    m.put(
        "set-endpoint-health",
        new Command.SetEndpointHealth(KEY, "10.1.0.5", 8080, Health.CRITICAL));
    m.put(
        "set-endpoint-health-no-port",
        new Command.SetEndpointHealth(KEY, "DB.example.com", null, Health.WARNING));
    // Version 2: conditional writes (compare-and-set).
    m.put(
        "upsert-if-revision", new Command.UpsertService(KEY, SPEC, new Precondition.Revision(300)));
    m.put(
        "upsert-if-absent",
        new Command.UpsertService(KEY, ServiceSpec.ofPorts(), new Precondition.Absent()));
    m.put("delete-if-revision", new Command.DeleteService(KEY, new Precondition.Revision(42)));
    m.put("delete-if-present", new Command.DeleteService(KEY, new Precondition.Present()));
    m.put(
        "batch-conditional",
        new Command.Batch(
            List.of(
                new Command.UpsertService(new ServiceKey("prod", "api"), ServiceSpec.ofPorts()),
                new Command.DeleteService(KEY, new Precondition.Revision(7)))));
    m.put(
        "group-conditional",
        new Command.Group(
            List.of(
                new Command.DeleteService(KEY),
                new Command.Batch(
                    List.of(
                        new Command.UpsertService(
                            new ServiceKey("a", "b"),
                            ServiceSpec.ofPorts(),
                            new Precondition.Absent()))),
                new Command.PutNode(NODE))));
    return m;
  }

  /** Every outcome type, by golden file name. */
  static Map<String, Outcome> outcomes() {
    Map<String, Outcome> m = new LinkedHashMap<>();
    m.put("written", new Outcome.Written(SERVICE, true, true));
    m.put("deleted", new Outcome.Deleted(SERVICE));
    m.put("not-found", new Outcome.NotFound(KEY));
    m.put("conflict", new Outcome.Conflict("vip4", "240.0.0.9 is held by prod/api"));
    m.put("invalid", new Outcome.Invalid("vip4", "10.0.0.1 is outside the VIP pool 240.0.0.0/4"));
    m.put("pool-exhausted", new Outcome.PoolExhausted("vip4", "240.0.0.0/29"));
    m.put("not-initialized", new Outcome.NotInitialized());
    m.put("node-written", new Outcome.NodeWritten(NODE, false));
    m.put("node-removed", new Outcome.NodeRemoved("n2", true));
    m.put("initialized", new Outcome.Initialized(SETTINGS, true));
    m.put(
        "batch-applied",
        new Outcome.BatchApplied(List.of(new Outcome.Deleted(SERVICE), new Outcome.NotFound(KEY))));
    m.put(
        "batch-refused",
        new Outcome.BatchRefused(1, new Outcome.PoolExhausted("vip4", "240.0.0.0/29")));
    m.put("already-applied", new Outcome.AlreadyApplied(99));
    m.put("barrier-passed", new Outcome.BarrierPassed(2432));
    m.put(
        "group-applied",
        new Outcome.GroupApplied(
            List.of(
                new Outcome.NotFound(KEY),
                new Outcome.BatchRefused(0, new Outcome.NotFound(KEY)))));
    m.put("written-headless", new Outcome.Written(SERVICE_HEADLESS, true, true));
    m.put("lease-granted", new Outcome.LeaseGranted(LEASE));
    m.put(
        "leases-ended",
        new Outcome.LeasesEnded(List.of(LEASE), List.of(KEY, new ServiceKey("prod", "zz"))));
    m.put("lease-not-found", new Outcome.LeaseNotFound(LEASE.id()));
    m.put("endpoint-not-found", new Outcome.EndpointNotFound(KEY, "[fd00::1]:80"));
    m.put(
        "precondition-failed",
        new Outcome.PreconditionFailed(KEY, new Precondition.Revision(41), 42));
    m.put(
        "precondition-failed-absent",
        new Outcome.GroupApplied(
            List.of(
                new Outcome.BatchRefused(
                    2, new Outcome.PreconditionFailed(KEY, new Precondition.Absent(), 42)),
                new Outcome.PreconditionFailed(
                    new ServiceKey("a", "b"), new Precondition.Present(), 0))));
    // Format version 2: written and deleted services with the log time of their entry.
    m.put("written-at", new Outcome.Written(SERVICE, true, true, 1_700_000_000_123L));
    m.put(
        "batch-deleted-at",
        new Outcome.BatchApplied(
            List.of(new Outcome.Deleted(SERVICE, 1_700_000_000_456L), new Outcome.NotFound(KEY))));
    return m;
  }

  static final LogEntry ENTRY = new LogEntry(1_700_000_000_123L, new Command.DeleteService(KEY));

  /** A service of a cluster without IPv6 VIPs, and a spec with nothing optional in it. */
  static final Service SERVICE_V4_ONLY =
      new Service(
          new ServiceKey("a", "b"),
          ServiceSpec.ofPorts(),
          (Inet4Address) IpAddresses.parse("v", "10.0.0.1"),
          null,
          1,
          1);

  static final ClusterSettings SETTINGS_V4_ONLY =
      new ClusterSettings(VipPool.parse("v", "10.0.0.0/8"), null, 0);

  /** Every command type as a log entry (the leader's timestamp first), by golden file name. */
  static Map<String, LogEntry> entries() {
    Map<String, LogEntry> m = new LinkedHashMap<>();
    long ts = ENTRY.timestampMillis();
    for (Map.Entry<String, Command> c : commands().entrySet()) {
      m.put(c.getKey(), new LogEntry(ts, c.getValue()));
    }
    m.put(
        "upsert-bare",
        new LogEntry(
            0, new Command.UpsertService(new ServiceKey("a", "b"), ServiceSpec.ofPorts())));
    m.put("init-cluster-v4-only", new LogEntry(-1, new Command.InitCluster(SETTINGS_V4_ONLY)));
    return m;
  }
}
