package dev.quorumdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The module graph, kept by the imports of every module's sources (docs/architecture.md, Modules):
 *
 * <pre>
 * state-machine  <-  dns-frontend  <-  raft-node (runtime)  <-  http-api  <-  server
 *                                                            <-------------   server
 * cli, chaos-tests: no project module (they reach nodes over HTTP and DNS)
 * </pre>
 *
 * Each rule says which project packages a module's sources may import and which libraries they must
 * not; a Maven dependency alone would let a module reach everything its dependencies bring along.
 */
@Timeout(60)
class ModuleBoundariesTest {
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^\\s*import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?;");
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** What the sources under {@code dir} may import from the project and must not import at all. */
  private record Rule(String dir, List<String> projectAllowed, List<String> forbidden) {}

  private static final List<String> DOMAIN = List.of("dev.quorumdns.registry.");
  private static final List<String> RUNTIME_INTERFACE =
      List.of("dev.quorumdns.node.runtime.", "dev.quorumdns.node.config.");

  private static final List<Rule> RULES =
      List.of(
          new Rule(
              "state-machine/src/main/java",
              List.of("dev.quorumdns.registry."),
              List.of("org.apache.ratis.", "io.netty.", "org.xbill.")),
          new Rule(
              "dns-frontend/src/main/java",
              List.of("dev.quorumdns.dns.", "dev.quorumdns.registry."),
              List.of(
                  "org.apache.ratis.",
                  "dev.quorumdns.registry.state.",
                  "dev.quorumdns.registry.store.",
                  "dev.quorumdns.registry.codec.")),
          // The runtime: no wire format of the HTTP API, no client, no certificate making
          // (BouncyCastle reads PEM
          // keys only). (picocli reads its flags.)
          new Rule(
              "raft-node/src/main/java",
              List.of("dev.quorumdns.node.", "dev.quorumdns.registry.", "dev.quorumdns.dns."),
              List.of(
                  "dev.quorumdns.node.api.",
                  "dev.quorumdns.node.auth.",
                  "com.fasterxml.jackson.databind.node.",
                  "io.netty.handler.codec.http.",
                  "org.bouncycastle.cert.",
                  "org.bouncycastle.operator.jcajce.")),
          // Tests make certificates with the CLI's issuer, as operators do.
          new Rule(
              "raft-node/src/test/java",
              List.of(
                  "dev.quorumdns.node.",
                  "dev.quorumdns.registry.",
                  "dev.quorumdns.dns.",
                  "dev.quorumdns.cli."),
              List.of("dev.quorumdns.node.api.")),
          // The HTTP API adapts the runtime's interface: never Node, Raft, TLS files, the store or
          // DNS.
          new Rule(
              "http-api/src/main/java",
              concat(
                  List.of("dev.quorumdns.node.api.", "dev.quorumdns.node.auth."),
                  RUNTIME_INTERFACE,
                  DOMAIN),
              List.of(
                  "org.apache.ratis.",
                  "org.rocksdb.",
                  "dev.quorumdns.registry.state.",
                  "dev.quorumdns.registry.store.",
                  "dev.quorumdns.registry.codec.")),
          new Rule(
              "http-api/src/test/java",
              concat(
                  List.of("dev.quorumdns.node.api.", "dev.quorumdns.node.auth."),
                  RUNTIME_INTERFACE,
                  DOMAIN),
              List.of("org.apache.ratis.", "org.rocksdb.")),
          new Rule(
              "server/src/main/java", List.of("dev.quorumdns."), List.of("dev.quorumdns.cli.")),
          new Rule(
              "cli/src/main/java",
              List.of("dev.quorumdns.cli."),
              List.of("org.apache.ratis.", "org.rocksdb.", "io.netty.")),
          new Rule(
              "cli/src/test/java",
              List.of("dev.quorumdns.cli."),
              List.of("org.apache.ratis.", "org.rocksdb.")));

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> out = new ArrayList<>();
    for (List<String> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  /** The offending imports of one rule, as {@code file: import}. */
  private static List<String> offenders(Rule rule) throws IOException {
    List<String> out = new ArrayList<>();
    Path dir = ROOT.resolve(rule.dir());
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          if (!allowed(rule, m.group(1))) {
            out.add(ROOT.relativize(file) + ": " + m.group().strip());
          }
        }
      }
    }
    return out;
  }

  private static boolean allowed(Rule rule, String imported) {
    if (rule.forbidden().stream().anyMatch(imported::startsWith)) {
      return false;
    }
    if (!imported.startsWith("dev.quorumdns.")) {
      return true;
    }
    return rule.projectAllowed().stream().anyMatch(imported::startsWith);
  }

  @Test
  void everyModuleImportsOnlyWhatItsRuleAllows() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (Rule rule : RULES) {
      assertTrue(Files.isDirectory(ROOT.resolve(rule.dir())), rule.dir() + " exists");
      offenders.addAll(offenders(rule));
    }
    assertEquals(List.of(), offenders);
  }

  @Test
  void noModuleImportsTheServer() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (String module : List.of("state-machine", "dns-frontend", "raft-node", "http-api", "cli")) {
      offenders.addAll(
          offenders(
              new Rule(
                  module + "/src", List.of("dev.quorumdns."), List.of("dev.quorumdns.server."))));
    }
    assertEquals(List.of(), offenders);
  }

  @Test
  void theRulesCatchWhatTheyShould() {
    Rule http =
        RULES.stream()
            .filter(r -> r.dir().equals("http-api/src/main/java"))
            .findFirst()
            .orElseThrow();
    assertFalse(allowed(http, "dev.quorumdns.node.Node"), "the runtime's implementation");
    assertFalse(allowed(http, "dev.quorumdns.node.raft.RaftRuntime"));
    assertFalse(allowed(http, "org.apache.ratis.protocol.RaftPeer"));
    assertTrue(allowed(http, "dev.quorumdns.node.runtime.NodeRuntime"));
    assertTrue(allowed(http, "dev.quorumdns.registry.command.Command"));
    Rule cli =
        RULES.stream().filter(r -> r.dir().equals("cli/src/main/java")).findFirst().orElseThrow();
    assertFalse(allowed(cli, "dev.quorumdns.registry.ServiceKey"));
    assertTrue(allowed(cli, "com.fasterxml.jackson.databind.JsonNode"));
    Rule runtime =
        RULES.stream()
            .filter(r -> r.dir().equals("raft-node/src/main/java"))
            .findFirst()
            .orElseThrow();
    assertFalse(allowed(runtime, "com.fasterxml.jackson.databind.node.ObjectNode"));
    assertFalse(allowed(runtime, "dev.quorumdns.node.api.ApiException"));
    assertFalse(
        allowed(runtime, "org.bouncycastle.cert.X509v3CertificateBuilder"), "certificate making");
    assertTrue(allowed(runtime, "org.bouncycastle.openssl.PEMParser"), "PEM keys");
    Matcher m =
        IMPORT.matcher("import static dev.quorumdns.cli.Names.label;\nString s = \"import x.Y;\";");
    assertTrue(m.find());
    assertEquals("dev.quorumdns.cli.Names.label", m.group(1));
    assertFalse(m.find(), "only import statements at the start of a line");
  }
}
