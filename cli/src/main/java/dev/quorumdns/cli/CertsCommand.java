package dev.quorumdns.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quorumdns certs --out DIR --nodes id=host,... [--client NAME]... [--days N]}: a CA and
 * certificates for a try-out. Writes {@code ca.pem}, {@code ca-key.pem}, {@code <id>.pem}, {@code
 * <id>-key.pem} (keys 0600); reuses {@code ca.pem}/{@code ca-key.pem} already in DIR, so it can add
 * nodes or renew certificates later.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "Make a CA and node and client certificates for a try-out (docs/security/tls.md).")
public final class CertsCommand implements Callable<Integer> {
  private final Context ctx;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "where to write the files")
  Path out;

  @Option(
      names = "--nodes",
      split = ",",
      paramLabel = "ID=HOST",
      description =
          "nodes to certify, with the "
              + "address or DNS name clients use (comma-separated or repeated)")
  List<String> nodes = new ArrayList<>();

  @Option(
      names = "--client",
      paramLabel = "NAME",
      description = "a client certificate to make; repeatable")
  List<String> clients = new ArrayList<>();

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "365",
      description = "validity (default: ${DEFAULT-VALUE})")
  int days;

  CertsCommand(Context ctx) {
    this.ctx = ctx;
  }

  /** What to issue. Immutable. */
  public record Request(Path out, Map<String, List<String>> nodes, List<String> clients, int days) {
    public Request {
      nodes = Map.copyOf(nodes);
      clients = List.copyOf(clients);
      if (nodes.isEmpty() && clients.isEmpty()) {
        throw new UsageException("nodes", "is required (expected: id=host,...), or give --client");
      }
      if (days < 1 || days > 36500) {
        throw new UsageException("days", days + " (expected: 1..36500)");
      }
    }

    /**
     * Builds a request from the command line's values; errors name the option.
     *
     * @param nodeSpecs {@code id=host} entries (each may itself be comma-separated)
     */
    static Request of(Path out, List<String> nodeSpecs, List<String> clientNames, int days) {
      Map<String, List<String>> nodes = new LinkedHashMap<>();
      for (String v : nodeSpecs) {
        for (String spec : v.split(",")) {
          if (spec.isBlank()) {
            continue;
          }
          int eq = spec.indexOf('=');
          if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException(
                "nodes", "'" + spec + "' (expected: id=host, host an IP or DNS name)");
          }
          String id = Names.label("nodes", spec.substring(0, eq).trim());
          List<String> hosts = new ArrayList<>();
          hosts.add(spec.substring(eq + 1).trim());
          hosts.add(id);
          if (nodes.put(id, hosts) != null) {
            throw new UsageException("nodes", "node " + id + " is listed twice");
          }
        }
      }
      List<String> clients = new ArrayList<>();
      for (String c : clientNames) {
        String name = Names.label("client", c.trim());
        if (nodes.containsKey(name)) {
          throw new UsageException("client", name + " is also a node; its files would collide");
        }
        clients.add(name);
      }
      return new Request(out, nodes, clients, days);
    }
  }

  @Override
  public Integer call() throws IOException, GeneralSecurityException {
    Request r = Request.of(out, nodes, clients, days);
    for (String line : issue(r, new CertificateIssuer(Clock.systemUTC(), new SecureRandom()))) {
      ctx.out().println(line);
    }
    return 0;
  }

  /** Writes the files of {@code r}; returns one line per file written. */
  public static List<String> issue(Request r, CertificateIssuer issuer)
      throws IOException, GeneralSecurityException {
    Files.createDirectories(r.out());
    List<String> written = new ArrayList<>();
    Path caCert = r.out().resolve("ca.pem");
    Path caKey = r.out().resolve("ca-key.pem");
    Duration validity = Duration.ofDays(r.days());
    CertificateIssuer.Issued ca;
    if (Files.exists(caCert) && Files.exists(caKey)) {
      try {
        ca = new CertificateIssuer.Issued(Pem.certificates(caCert).get(0), Pem.privateKey(caKey));
      } catch (PemException e) {
        throw new UsageException("out", e.getMessage());
      }
      written.add("reusing CA " + caCert);
    } else {
      ca =
          issuer.newCa(
              "QuorumDNS CA " + issuer.randomTag(), Duration.ofDays(Math.max(3650, r.days())));
      Pem.write(caKey, ca.keyPem(), true);
      Pem.write(caCert, ca.certificatePem(), false);
      written.add("wrote " + caCert + " and " + caKey + " (keep the CA key offline)");
    }
    for (Map.Entry<String, List<String>> n : r.nodes().entrySet()) {
      written.add(
          write(r.out(), n.getKey(), issuer.issue(ca, n.getKey(), n.getValue(), true, validity))
              + " (node; SAN "
              + String.join(", ", n.getValue())
              + ")");
    }
    for (String c : r.clients()) {
      written.add(write(r.out(), c, issuer.issue(ca, c, List.of(), false, validity)) + " (client)");
    }
    return written;
  }

  private static String write(Path dir, String name, CertificateIssuer.Issued issued)
      throws IOException {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + "-key.pem");
    Pem.write(key, issued.keyPem(), true);
    Pem.write(cert, issued.certificatePem(), false);
    return "wrote "
        + cert
        + " and "
        + key
        + ", serial "
        + issued.certificate().getSerialNumber().toString(16);
  }
}
