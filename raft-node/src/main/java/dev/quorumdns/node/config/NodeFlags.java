package dev.quorumdns.node.config;

import dev.quorumdns.registry.ValidationException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Every key a node understands, and its command line: {@code --key value} (or {@code --key=value})
 * for each, bare {@code --join} and {@code --listener}, repeatable {@code --peers} and {@code
 * --upstream}, and {@code --config FILE}. Parsed by picocli; {@link ConfigLoader} merges the result
 * over the environment and the YAML file. Stateless.
 */
public final class NodeFlags {
  /** How a key takes its value on the command line. */
  enum Kind {
    /** One value; given again, the last wins. */
    VALUE,
    /** Repeatable, values also comma-separated; all are kept. */
    LIST,
    /** A boolean: bare means true, or {@code --key true|false}. */
    FLAG
  }

  /** One key. Immutable. */
  record Key(String name, Kind kind, String label, String description) {}

  static final List<Key> KEYS =
      List.of(
          key(
              "id",
              "ID",
              "this node's id, a DNS label; also its name <id>.node.<domain> (required)"),
          key("data-dir", "DIR", "Raft log in raft/, registry in state/ (required)"),
          new Key(
              "peers",
              Kind.LIST,
              "ID=HOST:PORT",
              "initial voting members (Raft addresses), including this node"),
          new Key(
              "join",
              Kind.FLAG,
              "true|false",
              "start with no members and wait to be added (instead of --peers)"),
          new Key(
              "listener",
              Kind.FLAG,
              "true|false",
              "with --join: this node is to be added as a non-voting "
                  + "listener (quorumdns members add ... --listener)"),
          key(
              "bootstrap-expect",
              "N",
              "form a new cluster once N nodes found through retry-join agree on the same "
                  + "founders (instead of --peers)"),
          new Key(
              "retry-join",
              Kind.LIST,
              "ADDR",
              "where to look for members and candidates: IP[:PORT], a DNS name "
                  + "whose A/AAAA records list them, or _service._proto.name for SRV records (HTTP API port)"),
          key(
              "advertise-raft",
              "HOST[:PORT]",
              "the Raft address other members use for this node, e.g. a stable DNS "
                  + "name (default advertise:raft-port)"),
          key(
              "autopilot-stabilization",
              "DURATION",
              "how long a new member must stay healthy before it is promoted "
                  + "to voter (default 10s)"),
          key(
              "autopilot-max-voters",
              "N",
              "voters kept odd up to this many; other members stay listeners (default 5)"),
          key(
              "autopilot-dead-after",
              "DURATION",
              "remove a member unreachable this long; 0 turns it off (default 5m)"),
          key(
              "metrics-addr",
              "IP:PORT",
              "a plain HTTP listener for /healthz, /readyz and /metrics only (no TLS, no "
                  + "tokens), for probes and Prometheus"),
          key(
              "cluster",
              "NAME",
              "cluster name; nodes with different names never talk (default quorumdns)"),
          key("bind", "IP", "address the DNS, HTTP and Raft listeners bind (default 0.0.0.0)"),
          key(
              "advertise",
              "HOST",
              "address other members and clients use for this node (default: its peers entry, "
                  + "else bind)"),
          key("dns-port", "PORT", "DNS port, UDP and TCP (default 53535)"),
          key("api-port", "PORT", "HTTP API port (default 8053)"),
          key("raft-port", "PORT", "Raft port (default 9053)"),
          key(
              "domain",
              "NAME",
              "the zone: services are <name>.<namespace>.<domain> (default mesh.internal)"),
          key("vip-cidr", "CIDR", "IPv4 VIP pool, cluster-wide (default 240.0.0.0/4)"),
          key(
              "vip6-cidr",
              "CIDR",
              "IPv6 VIP pool, prefix 64..126; empty disables AAAA (default fd00:fd00::/64)"),
          key(
              "vip-hold-down",
              "DURATION",
              "how long a released VIP stays reserved for its previous owner; at least "
                  + "2 x dns-ttl (default 10m)"),
          key("dns-ttl", "SECONDS", "TTL of answers (default 60)"),
          key(
              "dns-negative-ttl",
              "SECONDS",
              "SOA minimum: how long resolvers may cache NXDOMAIN (default 30)"),
          new Key(
              "upstream",
              Kind.LIST,
              "HOST[:PORT]",
              "forward names outside the zones there (else REFUSED)"),
          key(
              "upstream-allow",
              "CIDR,...",
              "clients whose out-of-zone questions are forwarded (default: loopback "
                  + "and private ranges; none: nobody)"),
          key(
              "api-token-file",
              "FILE",
              "legacy: one bearer token that writes and membership changes need"),
          key("token-file", "FILE", "YAML file of scoped tokens (docs/security/auth.md)"),
          key(
              "audit-log",
              "FILE",
              "where writes and cluster changes are recorded (default <data-dir>/audit.log)"),
          key(
              "api-request-timeout",
              "DURATION",
              "a request must arrive whole within this time (default 10s)"),
          key(
              "api-max-connections",
              "N",
              "open HTTP connections a node accepts at once (default 4096)"),
          key(
              "api-max-connections-per-client",
              "N",
              "open HTTP connections one client may hold (default 2048)"),
          key(
              "watch-max",
              "N",
              "open watch streams (GET /v1/watch) a node serves at once; 0: none (default 2048)"),
          key(
              "watch-max-per-client",
              "N",
              "open watch streams one client address may hold (default 512)"),
          key(
              "watch-buffer",
              "SIZE",
              "bytes a watch stream may have queued unread before it is dropped as too slow "
                  + "(default 1MB)"),
          key(
              "watch-progress-interval",
              "DURATION",
              "how often an idle watch stream hears the current revision " + "(default 5s)"),
          key(
              "election-timeout",
              "DURATION",
              "Raft election timeout, the minimum; the maximum is 1.5 times it (default 300ms)"),
          key(
              "snapshot-threshold",
              "N",
              "take a snapshot every this many applied entries (default 10000)"),
          key(
              "change-log-min-changes",
              "N",
              "the change log (watches, IXFR) keeps at least this many changes "
                  + "(default 100000); use the same value on every member"),
          key(
              "change-log-min-age",
              "DURATION",
              "... and every change younger than this, in log time (default 10m); "
                  + "the same on every member"),
          key("raft-segment-size", "SIZE", "Raft log segment size (default 8MB)"),
          key(
              "write-timeout",
              "DURATION",
              "how long a write waits for its outcome before answering 504 (default 5s)"),
          key("dns-threads", "N", "DNS event-loop threads (default 1)"),
          key(
              "dns-rrl-rate",
              "N",
              "UDP answers per second per client prefix; 0 turns rate limiting off (default 0)"),
          key("dns-rrl-slip", "N", "every Nth held-back answer is sent truncated (default 2)"),
          key("dns-rrl-exempt", "CIDR,...", "blocks never rate limited (default loopback)"),
          key(
              "dns-rrl-ipv4-prefix",
              "BITS",
              "IPv4 clients in one prefix share a bucket (default 24)"),
          key(
              "dns-rrl-ipv6-prefix",
              "BITS",
              "IPv6 clients in one prefix share a bucket (default 56)"),
          key("dns-rrl-table-size", "N", "client prefixes tracked at most (default 65536)"),
          key(
              "dns-tcp-per-client",
              "N",
              "TCP connections one client may hold open; 0: no cap (default 16)"),
          key(
              "transfer-allow",
              "CIDR,...",
              "clients that may transfer the zones (AXFR, IXFR), subject to "
                  + "transfer-require-tsig (default none: transfers refused)"),
          key(
              "tsig-key-file",
              "FILE",
              "TSIG keys (HMAC-SHA256) as tsig-keygen writes them, mode 600; transfers "
                  + "signed with one are allowed (docs/security/dns.md)"),
          new Key(
              "transfer-require-tsig",
              Kind.FLAG,
              "true|false",
              "transfers must be signed with a key from "
                  + "tsig-key-file, even from transfer-allow (default true when tsig-key-file is set)"),
          key(
              "transfer-concurrency",
              "N",
              "zone transfers served at once; more get SERVFAIL (default 10)"),
          new Key(
              "notify",
              Kind.LIST,
              "HOST[:PORT]",
              "secondaries sent a NOTIFY when the zones change (port 53 " + "if left out)"),
          key(
              "notify-interval",
              "DURATION",
              "at most one NOTIFY per zone and secondary this often (default 1s)"),
          key(
              "tls-cert",
              "FILE",
              "this node's certificate (PEM): the API serves HTTPS only (docs/security/tls.md)"),
          key(
              "tls-key",
              "FILE",
              "this node's private key (PEM: PKCS#8, PKCS#1 RSA, SEC1 EC, or encrypted PKCS#8)"),
          key(
              "tls-key-passphrase-file",
              "FILE",
              "file whose first line is the passphrase of an encrypted tls-key"),
          key(
              "tls-ca",
              "FILE",
              "cluster CA bundle (PEM): API clients need a certificate it signed; Raft is mutual TLS"),
          key(
              "api-client-certs",
              "require|optional",
              "whether API clients must show a certificate (default require " + "with tls-ca)"),
          key(
              "tls-reload-interval",
              "DURATION",
              "how often the TLS files are checked for changes (default 5s)"));

  private NodeFlags() {}

  private static Key key(String name, String label, String description) {
    return new Key(name, Kind.VALUE, label, description);
  }

  /**
   * The {@code quorumdns node} command: one option per key, {@code --config}, {@code --help},
   * {@code --version}.
   */
  public static CommandLine commandLine() {
    CommandSpec spec = CommandSpec.create().name("quorumdns node").mixinStandardHelpOptions(true);
    spec.usageMessage()
        .description(
            "Run a node. Every key can also be an environment variable (QUORUMDNS_KEY, "
                + "upper case, - as _) or a line of the --config YAML file (key: value); flags win over the environment, "
                + "which wins over the file.");
    spec.addOption(
        OptionSpec.builder("--config")
            .paramLabel("FILE")
            .type(String.class)
            .description("YAML file of key: value settings (or $QUORUMDNS_CONFIG)")
            .build());
    for (Key k : KEYS) {
      OptionSpec.Builder b =
          OptionSpec.builder("--" + k.name()).paramLabel(k.label()).description(k.description());
      switch (k.kind()) {
        case VALUE -> b.type(String.class).arity("1");
        case LIST -> b.type(List.class).auxiliaryTypes(String.class).arity("1");
        case FLAG -> b.type(String.class).arity("0..1").fallbackValue("true");
      }
      spec.addOption(b.build());
    }
    CommandLine cl = new CommandLine(spec);
    cl.setOverwrittenOptionsAllowed(true);
    return cl;
  }

  /** The settings given on the command line; a bad command line is refused naming the flag. */
  public static Settings parse(List<String> args) {
    try {
      return settings(commandLine().parseArgs(args.toArray(new String[0])));
    } catch (ParameterException e) {
      throw refusal(e);
    }
  }

  /** The settings of a parsed command line. */
  public static Settings settings(ParseResult parsed) {
    Settings s = new Settings();
    for (OptionSpec o : parsed.matchedOptions()) {
      String key = o.longestName().substring(2);
      if (key.equals("help") || key.equals("version")) {
        continue;
      }
      Object v = o.getValue();
      if (v instanceof List<?> list) {
        List<String> values = new ArrayList<>();
        list.forEach(x -> values.add(String.valueOf(x)));
        s.put(key, values);
      } else if (v != null) {
        String value = v.toString();
        if (value.startsWith("--")) {
          // A bare flag (--join) followed by an option picocli does not know takes it as its value.
          String unknown = value.substring(2).split("=", 2)[0];
          throw new ValidationException(unknown, "unknown flag --" + unknown);
        }
        s.put(key, value);
      }
    }
    return s;
  }

  /** A command-line error as the key it is about (without dashes) and what is wrong. */
  public static ValidationException refusal(ParameterException e) {
    if (e instanceof UnmatchedArgumentException u) {
      for (String arg : u.getUnmatched()) {
        if (arg.startsWith("--")) {
          String key = arg.substring(2).split("=", 2)[0];
          return new ValidationException(key, "unknown flag --" + key);
        }
      }
      return new ValidationException(
          u.getUnmatched().isEmpty() ? "node" : u.getUnmatched().get(0),
          "unexpected argument (expected: --key value)");
    }
    if (e instanceof MissingParameterException m
        && !m.getMissing().isEmpty()
        && m.getMissing().get(0) instanceof OptionSpec o) {
      return new ValidationException(o.longestName().substring(2), "needs a value");
    }
    return new ValidationException("node", e.getMessage() == null ? e.toString() : e.getMessage());
  }
}
