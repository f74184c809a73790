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

/**
 * {@code quorumdns certs --out DIR --nodes id=host,... [--client NAME]... [--days N]}: a CA and certificates
 * for a try-out. Writes {@code ca.pem}, {@code ca-key.pem}, {@code <id>.pem}, {@code <id>-key.pem} (keys 0600);
 * reuses {@code ca.pem}/{@code ca-key.pem} already in DIR, so it can add nodes or renew certificates later.
 */
public final class CertsCommand {
  static final String USAGE = "certs --out DIR --nodes ID=HOST,... [--client NAME]... [--days 365]";

  private CertsCommand() {}

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

    public static Request parse(List<String> args) {
      ClientCommands.Options o = ClientCommands.Options.parse(args);
      if (!o.positionals().isEmpty()) {
        throw new UsageException(o.positionals().get(0), "unexpected argument (usage: quorumdns " + USAGE + ")");
      }
      for (String k : o.flags().keySet()) {
        if (!List.of("out", "nodes", "client", "days").contains(k)) {
          throw new UsageException(k, "unknown flag --" + k + " (usage: quorumdns " + USAGE + ")");
        }
      }
      String out = o.value("out", null);
      if (out == null || out.isBlank()) {
        throw new UsageException("out", "is required (the directory to write the files to)");
      }
      Map<String, List<String>> nodes = new LinkedHashMap<>();
      for (String v : o.values("nodes")) {
        for (String spec : v.split(",")) {
          if (spec.isBlank()) {
            continue;
          }
          int eq = spec.indexOf('=');
          if (eq <= 0 || eq == spec.length() - 1) {
            throw new UsageException("nodes", "'" + spec + "' (expected: id=host, host an IP or DNS name)");
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
      for (String c : o.values("client")) {
        String name = Names.label("client", c.trim());
        if (nodes.containsKey(name)) {
          throw new UsageException("client", name + " is also a node; its files would collide");
        }
        clients.add(name);
      }
      int days;
      try {
        days = Integer.parseInt(o.value("days", "365"));
      } catch (NumberFormatException e) {
        throw new UsageException("days", "'" + o.value("days", "") + "' is not a number");
      }
      return new Request(Path.of(out), nodes, clients, days);
    }
  }

  public static int run(List<String> args) throws IOException, GeneralSecurityException {
    Request r = Request.parse(args);
    for (String line : issue(r, new CertificateIssuer(Clock.systemUTC(), new SecureRandom()))) {
      System.out.println(line);
    }
    return 0;
  }

  /** Writes the files of {@code r}; returns one line per file written. */
  public static List<String> issue(Request r, CertificateIssuer issuer) throws IOException, GeneralSecurityException {
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
      ca = issuer.newCa("QuorumDNS CA " + issuer.randomTag(), Duration.ofDays(Math.max(3650, r.days())));
      Pem.write(caKey, ca.keyPem(), true);
      Pem.write(caCert, ca.certificatePem(), false);
      written.add("wrote " + caCert + " and " + caKey + " (keep the CA key offline)");
    }
    for (Map.Entry<String, List<String>> n : r.nodes().entrySet()) {
      written.add(write(r.out(), n.getKey(), issuer.issue(ca, n.getKey(), n.getValue(), true, validity))
          + " (node; SAN " + String.join(", ", n.getValue()) + ")");
    }
    for (String c : r.clients()) {
      written.add(write(r.out(), c, issuer.issue(ca, c, List.of(), false, validity)) + " (client)");
    }
    return written;
  }

  private static String write(Path dir, String name, CertificateIssuer.Issued issued) throws IOException {
    Path cert = dir.resolve(name + ".pem");
    Path key = dir.resolve(name + "-key.pem");
    Pem.write(key, issued.keyPem(), true);
    Pem.write(cert, issued.certificatePem(), false);
    return "wrote " + cert + " and " + key + ", serial " + issued.certificate().getSerialNumber().toString(16);
  }
}
