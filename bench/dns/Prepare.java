import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prepares the DNS benchmark against a running node: registers COUNT services (bench/s1 .. bench/sCOUNT, no
 * ports) through {@code POST /v1/batch}, 1000 per batch; writes the forward zone exactly as the node serves it
 * ({@code GET /v1/records}: SOA, NS, glue, every A and AAAA) as an NSD zone file; and writes a dnsperf query file
 * of QUERIES lines drawn with a fixed seed: 70% A, 20% AAAA of registered names, 10% A of names that do not
 * exist.
 *
 * <pre>
 * java bench/dns/Prepare.java API_URL COUNT ZONE_FILE QUERY_FILE [QUERIES (default 200000)] [FLOOD_FILE]
 * </pre>
 *
 * <p>With FLOOD_FILE it also writes a random-name flood: 1,000,000 lines, every other one a line of the query mix
 * above and the rest A queries for names never asked before ({@code r<random hex>.bench.mesh.internal}, as in a
 * random-subdomain attack: half a million distinct names, five times the node's answer cache).
 */
public final class Prepare {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern RECORD = Pattern.compile("\\{\\s*\"name\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"type\"\\s*:"
      + "\\s*\"([^\"]*)\"\\s*,\\s*\"ttl\"\\s*:\\s*(\\d+)\\s*,\\s*\"data\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*}");
  private static final Pattern RESULT = Pattern.compile("\"result\"\\s*:\\s*\"([a-z_]+)\"");
  private static final String NAMESPACE = "bench";
  private static final String DOMAIN = "mesh.internal.";
  private static final int FLOOD_LINES = 1_000_000;

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: Prepare API_URL COUNT ZONE_FILE QUERY_FILE [QUERIES]");
      System.exit(2);
    }
    String api = args[0];
    int count = Integer.parseInt(args[1]);
    Path zoneFile = Path.of(args[2]);
    Path queryFile = Path.of(args[3]);
    int queries = args.length > 4 ? Integer.parseInt(args[4]) : 200_000;

    long t0 = System.nanoTime();
    for (int from = 1; from <= count; from += 1000) {
      register(api, from, Math.min(count, from + 999));
    }
    System.out.printf("registered %d services in %.1f s%n", count, (System.nanoTime() - t0) / 1e9);

    List<String> zone = zone(get(api + "/v1/records"));
    long addresses = zone.stream().filter(l -> l.contains(" IN A ") || l.contains(" IN AAAA ")).count();
    if (addresses < 2L * count) {
      throw new IllegalStateException("the node serves " + addresses + " A/AAAA records, expected at least "
          + 2L * count);
    }
    Files.write(zoneFile, zone, StandardCharsets.US_ASCII);
    System.out.printf("zone %s: %d records%n", zoneFile, zone.size());

    Random random = new Random(42);
    List<String> lines = new ArrayList<>(queries);
    for (int i = 0; i < queries; i++) {
      int p = random.nextInt(100);
      int n = 1 + random.nextInt(count);
      lines.add(p < 70 ? "s" + n + "." + NAMESPACE + "." + DOMAIN + " A"
          : p < 90 ? "s" + n + "." + NAMESPACE + "." + DOMAIN + " AAAA"
          : "missing" + n + "." + NAMESPACE + "." + DOMAIN + " A");
    }
    Files.write(queryFile, lines, StandardCharsets.US_ASCII);
    System.out.printf("queries %s: %d lines (70%% A, 20%% AAAA, 10%% nonexistent)%n", queryFile, queries);
    if (args.length > 5) {
      Path floodFile = Path.of(args[5]);
      List<String> flood = new ArrayList<>(FLOOD_LINES);
      for (int i = 0; i < FLOOD_LINES; i++) {
        flood.add(i % 2 == 0 ? lines.get(i / 2 % lines.size())
            : "r" + Long.toHexString(random.nextLong() >>> 1) + "." + NAMESPACE + "." + DOMAIN + " A");
      }
      Files.write(floodFile, flood, StandardCharsets.US_ASCII);
      System.out.printf("flood %s: %d lines (half the mix above, half names never asked before)%n", floodFile,
          FLOOD_LINES);
    }
  }

  private static void register(String api, int from, int to) throws IOException, InterruptedException {
    StringBuilder body = new StringBuilder("{\"operations\":[");
    for (int i = from; i <= to; i++) {
      body.append(i == from ? "" : ",").append("{\"op\":\"put\",\"namespace\":\"").append(NAMESPACE)
          .append("\",\"name\":\"s").append(i).append("\",\"service\":{}}");
    }
    body.append("]}");
    HttpRequest req = HttpRequest.newBuilder(URI.create(api + "/v1/batch")).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST /v1/batch " + from + ".." + to + ": " + r.statusCode() + " " + r.body());
    }
    Matcher m = RESULT.matcher(r.body());
    int ok = 0;
    while (m.find()) {
      ok += m.group(1).equals("created") || m.group(1).equals("unchanged") || m.group(1).equals("updated") ? 1 : 0;
    }
    if (ok != to - from + 1) {
      throw new IllegalStateException("POST /v1/batch " + from + ".." + to + ": " + ok + " written\n" + r.body());
    }
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + url + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** The forward zone's SOA, NS, and A/AAAA records, as zone-file lines (SOA first). */
  private static List<String> zone(String recordsJson) {
    List<String> soa = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    Matcher m = RECORD.matcher(recordsJson);
    while (m.find()) {
      String name = m.group(1);
      String type = m.group(2);
      if (!name.endsWith(DOMAIN) || !List.of("SOA", "NS", "A", "AAAA").contains(type)) {
        continue;
      }
      String line = name + " " + m.group(3) + " IN " + type + " " + m.group(4);
      (type.equals("SOA") ? soa : rest).add(line);
    }
    if (soa.size() != 1) {
      throw new IllegalStateException("expected one SOA for " + DOMAIN + ", got " + soa);
    }
    soa.addAll(rest);
    return soa;
  }
}
