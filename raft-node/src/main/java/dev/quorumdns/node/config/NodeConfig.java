package dev.quorumdns.node.config;

import dev.quorumdns.dns.AbuseLimits;
import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.vip.VipPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A node's validated configuration. Immutable. Built by {@link #from(Settings)}, which names the
 * offending key (as spelt on the command line) in every error.
 *
 * @param advertise the address other members and clients use to reach this node
 * @param peers the initial voting members (empty when joining an existing cluster)
 * @param join start with no members and wait to be added by {@code POST /v1/cluster/members}
 * @param listener (with {@code join}) this node is meant to be added as a non-voting listener; it
 *     only changes what the node tells the operator to run
 * @param dnsLimits DNS rate limiting, per-client TCP cap and who may recurse (docs/security/dns.md)
 * @param transfers who may transfer the zones, with which TSIG keys, and whom to NOTIFY
 *     (docs/security/dns.md)
 * @param apiAccess tokens, audit log and connection limits of the HTTP API
 * @param tls TLS for the API and Raft, or null for plain HTTP and plain Raft
 * @param discovery bootstrap-expect and retry-join: how the node finds its cluster without {@code
 *     peers}
 * @param autopilot what the leader's autopilot may do with the members
 * @param metricsAddr a plain HTTP listener for health, readiness and metrics only, or null
 * @param changeLog how much of the change log (watches, IXFR) this replica keeps: pruned in apply,
 *     so every member should use the same values
 */
public record NodeConfig(
    String id,
    String cluster,
    Path dataDir,
    InetAddress bind,
    InetAddress advertise,
    int dnsPort,
    int apiPort,
    int raftPort,
    List<PeerAddress> peers,
    boolean join,
    boolean listener,
    String domain,
    VipPool vip4Pool,
    VipPool vip6Pool,
    Duration vipHoldDown,
    int dnsTtl,
    int dnsNegativeTtl,
    List<InetSocketAddress> upstreams,
    Path apiTokenFile,
    Duration electionTimeout,
    long snapshotThreshold,
    Duration writeTimeout,
    int dnsThreads,
    long raftSegmentBytes,
    AbuseLimits dnsLimits,
    TransferConfig transfers,
    ApiAccess apiAccess,
    TlsConfig tls,
    Discovery discovery,
    AutopilotSettings autopilot,
    HostPort metricsAddr,
    Retention changeLog) {

  public static final int DEFAULT_DNS_PORT = 53535;
  public static final int DEFAULT_API_PORT = 8053;
  public static final int DEFAULT_RAFT_PORT = 9053;
  public static final String DEFAULT_DOMAIN = "mesh.internal";

  public NodeConfig {
    peers = List.copyOf(peers);
    upstreams = List.copyOf(upstreams);
  }

  /** The settings every replica must share, proposed by this node if it is the first leader. */
  public ClusterSettings clusterSettings() {
    return new ClusterSettings(vip4Pool, vip6Pool, vipHoldDown.toMillis());
  }

  /**
   * The same configuration with other initial members: {@code peers} (the founders a discovery
   * agreed on), or none and {@code join} (to be added by the cluster).
   */
  public NodeConfig withMembers(List<PeerAddress> newPeers, boolean newJoin) {
    return new NodeConfig(
        id,
        cluster,
        dataDir,
        bind,
        advertise,
        dnsPort,
        apiPort,
        raftPort,
        newPeers,
        newJoin,
        listener,
        domain,
        vip4Pool,
        vip6Pool,
        vipHoldDown,
        dnsTtl,
        dnsNegativeTtl,
        upstreams,
        apiTokenFile,
        electionTimeout,
        snapshotThreshold,
        writeTimeout,
        dnsThreads,
        raftSegmentBytes,
        dnsLimits,
        transfers,
        apiAccess,
        tls,
        discovery,
        autopilot,
        metricsAddr,
        changeLog);
  }

  public Path raftDir() {
    return dataDir.resolve("raft");
  }

  public Path stateDir() {
    return dataDir.resolve("state");
  }

  /** Validates raw settings into a config. */
  public static NodeConfig from(Settings s) {
    String id = DnsLabel.normalize("id", s.required("id"));
    String cluster = DnsLabel.normalize("cluster", s.string("cluster", "quorumdns"));
    Path dataDir = Path.of(s.required("data-dir"));
    InetAddress bind = address("bind", s.string("bind", "0.0.0.0"));
    int dnsPort = s.integer("dns-port", DEFAULT_DNS_PORT, 1, 65535);
    int apiPort = s.integer("api-port", DEFAULT_API_PORT, 1, 65535);
    int raftPort = s.integer("raft-port", DEFAULT_RAFT_PORT, 1, 65535);
    boolean join = s.bool("join", false);
    boolean listener = s.bool("listener", false);
    if (listener && !join) {
      throw new ValidationException(
          "listener",
          "a listener joins an existing cluster: add --join (and no --peers)"
              + ", then run quorumdns members add "
              + id
              + " HOST:PORT --listener on a member");
    }
    List<PeerAddress> peers = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String p : s.list("peers")) {
      PeerAddress peer = PeerAddress.parse("peers", p);
      if (!ids.add(peer.id())) {
        throw new ValidationException("peers", "member " + peer.id() + " is listed twice");
      }
      peers.add(peer);
    }
    PeerAddress self = peers.stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
    if (join && !peers.isEmpty()) {
      throw new ValidationException("join", "a joining node starts with no peers; drop --peers");
    }
    int expect = s.integer("bootstrap-expect", 0, 0, 9);
    List<String> retryJoin = s.list("retry-join");
    boolean discovers = expect > 0 || !retryJoin.isEmpty();
    if (discovers && !peers.isEmpty()) {
      throw new ValidationException(
          expect > 0 ? "bootstrap-expect" : "retry-join",
          "finds the members itself; " + "drop --peers (a static list) or this");
    }
    if (discovers && join) {
      throw new ValidationException(
          "join", "retry-join finds the cluster and asks to be added; drop --join");
    }
    if (expect > 1 && retryJoin.isEmpty()) {
      throw new ValidationException(
          "retry-join",
          "is required with bootstrap-expect " + expect + " (where to find the other nodes)");
    }
    if (!join && !discovers && self == null) {
      throw new ValidationException(
          "peers",
          peers.isEmpty()
              ? "is required (expected: id=host:port,... including this node, or --join)"
              : "does not list this node's id '" + id + "'");
    }
    if (self != null && self.port() != raftPort && s.has("raft-port")) {
      throw new ValidationException(
          "raft-port", raftPort + " differs from this node's entry in peers (" + self + ")");
    }
    if (self != null) {
      raftPort = self.port();
    }
    InetAddress advertise;
    if (s.has("advertise")) {
      advertise = resolve("advertise", s.string("advertise", null));
    } else if (self != null) {
      advertise = resolve("peers", self.host());
    } else if (!bind.isAnyLocalAddress()) {
      advertise = bind;
    } else {
      throw new ValidationException(
          "advertise", "is required when bind is a wildcard and the node joins");
    }
    HostPort advertiseRaft = new HostPort(advertise.getHostAddress(), raftPort);
    if (s.has("advertise-raft")) {
      String v = s.string("advertise-raft", null);
      long colons = v.chars().filter(c -> c == ':').count();
      if (v.startsWith("[") && v.endsWith("]")) {
        advertiseRaft = new HostPort(v.substring(1, v.length() - 1), raftPort);
      } else if (v.startsWith("[") || colons == 1) {
        advertiseRaft = HostPort.parse("advertise-raft", v);
      } else {
        advertiseRaft = new HostPort(v, raftPort);
      }
      if (!discovers) {
        throw new ValidationException(
            "advertise-raft",
            "is for nodes that find their cluster (retry-join); with "
                + "peers, this node's entry there is its Raft address");
      }
    }
    String domain = domain(s.string("domain", DEFAULT_DOMAIN));
    VipPool vip4 = VipPool.parse("vip-cidr", s.string("vip-cidr", ClusterSettings.DEFAULT_VIP4));
    String v6 = s.string("vip6-cidr", ClusterSettings.DEFAULT_VIP6);
    VipPool vip6 =
        v6.isEmpty() || v6.equalsIgnoreCase("none") ? null : VipPool.parse("vip6-cidr", v6);
    int ttl = s.integer("dns-ttl", 60, 0, 86400);
    int negTtl = s.integer("dns-negative-ttl", 30, 0, 86400);
    Duration holdDown = s.duration("vip-hold-down", Duration.ofMinutes(10));
    if (holdDown.compareTo(Duration.ofSeconds(2L * ttl)) < 0) {
      throw new ValidationException(
          "vip-hold-down",
          holdDown
              + " is shorter than twice dns-ttl ("
              + 2 * ttl
              + "s); cached answers could point at another service");
    }
    List<InetSocketAddress> upstreams = new ArrayList<>();
    for (String u : s.list("upstream")) {
      HostPort hp =
          u.indexOf(':') < 0 || (u.startsWith("[") && u.endsWith("]"))
              ? new HostPort(u.replace("[", "").replace("]", ""), 53)
              : HostPort.parse("upstream", u);
      upstreams.add(new InetSocketAddress(IpAddresses.parse("upstream", hp.host()), hp.port()));
    }
    String tokenFile = s.string("api-token-file", null);
    Duration election = s.duration("election-timeout", Duration.ofMillis(300));
    if (election.toMillis() < 50 || election.toMillis() > 60_000) {
      throw new ValidationException(
          "election-timeout", election.toMillis() + "ms (expected: 50ms..60s)");
    }
    long snapshotThreshold = s.integer("snapshot-threshold", 10_000, 10, Integer.MAX_VALUE);
    Duration writeTimeout = s.duration("write-timeout", Duration.ofSeconds(5));
    int dnsThreads = s.integer("dns-threads", 1, 1, 64);
    long segment = s.bytes("raft-segment-size", 8L << 20, 16L << 10, 1L << 30);
    AbuseLimits dnsLimits = DnsAbuseSettings.from(s);
    TransferConfig transfers = TransferSettings.from(s);
    return new NodeConfig(
        id,
        cluster,
        dataDir,
        bind,
        advertise,
        dnsPort,
        apiPort,
        raftPort,
        peers,
        join,
        listener,
        domain,
        vip4,
        vip6,
        holdDown,
        ttl,
        negTtl,
        upstreams,
        tokenFile == null ? null : Path.of(tokenFile),
        election,
        snapshotThreshold,
        writeTimeout,
        dnsThreads,
        segment,
        dnsLimits,
        transfers,
        ApiAccess.from(s, dataDir),
        TlsConfig.from(s),
        new Discovery(expect, retryJoin, advertiseRaft),
        AutopilotSettings.from(s, discovers),
        s.has("metrics-addr")
            ? HostPort.parse("metrics-addr", s.string("metrics-addr", null))
            : null,
        changeLogRetention(s));
  }

  /**
   * {@code change-log-min-changes} and {@code change-log-min-age}; the defaults are {@link
   * Retention#DEFAULT}.
   */
  private static Retention changeLogRetention(Settings s) {
    Retention d = Retention.DEFAULT;
    long changes = s.integer("change-log-min-changes", (int) d.minRecords(), 1, Integer.MAX_VALUE);
    Duration age = s.duration("change-log-min-age", Duration.ofMillis(d.minAgeMillis()));
    if (age.isNegative() || age.toDays() > 30) {
      throw new ValidationException("change-log-min-age", age + " (expected: 0s..30d)");
    }
    return new Retention(changes, age.toMillis(), d.extraPrunePerEntry());
  }

  private static InetAddress address(String key, String v) {
    return IpAddresses.parse(key, v);
  }

  private static InetAddress resolve(String key, String host) {
    if (IpAddresses.looksLiteral(host)) {
      return IpAddresses.parse(key, host);
    }
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ValidationException(key, "cannot resolve '" + host + "'");
    }
  }

  static String domain(String raw) {
    String d = raw.trim().toLowerCase(Locale.ROOT);
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty() || d.length() > 200) {
      throw new ValidationException(
          "domain", "'" + raw + "' (expected: a DNS name such as mesh.internal)");
    }
    for (String label : d.split("\\.", -1)) {
      DnsLabel.normalize("domain", label);
    }
    return d;
  }
}
