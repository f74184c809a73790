package dev.quorumdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The TLS keys: from flags, environment and YAML, and the combinations refused. */
class TlsConfigTest {
  private static final List<String> BASE =
      List.of("--id", "n1", "--data-dir", "/tmp/q", "--peers", "n1=127.0.0.11:9053");

  private static NodeConfig load(List<String> extra, Map<String, String> env) {
    List<String> args = new ArrayList<>(BASE);
    args.addAll(extra);
    return ConfigLoader.load(args, env);
  }

  @Test
  void withoutTlsKeysTheNodeRunsPlain() {
    assertNull(load(List.of(), Map.of()).tls());
  }

  @Test
  void certAndKeyAloneMeanHttpsWithoutClientCertificatesAndPlainRaft() {
    TlsConfig t = load(List.of("--tls-cert", "/c.pem", "--tls-key", "/k.pem"), Map.of()).tls();
    assertEquals(Path.of("/c.pem"), t.cert());
    assertEquals(TlsConfig.ClientCerts.NONE, t.apiClientCerts());
    assertFalse(t.raftTls());
    assertEquals(Duration.ofSeconds(5), t.reloadInterval());
  }

  @Test
  void aCaMeansMutualTlsOnRaftAndRequiredClientCertificatesUnlessOptional() {
    TlsConfig t =
        load(
                List.of(),
                Map.of(
                    "QUORUMDNS_TLS_CERT",
                    "/c.pem",
                    "QUORUMDNS_TLS_KEY",
                    "/k.pem",
                    "QUORUMDNS_TLS_CA",
                    "/ca.pem"))
            .tls();
    assertTrue(t.raftTls());
    assertEquals(TlsConfig.ClientCerts.REQUIRE, t.apiClientCerts());
    assertEquals(
        TlsConfig.ClientCerts.OPTIONAL,
        load(
                List.of("--api-client-certs", "optional"),
                Map.of(
                    "QUORUMDNS_TLS_CERT",
                    "/c.pem",
                    "QUORUMDNS_TLS_KEY",
                    "/k.pem",
                    "QUORUMDNS_TLS_CA",
                    "/ca.pem"))
            .tls()
            .apiClientCerts());
  }

  @Test
  void theYamlFileTakesTheSameKeys(@TempDir Path dir) throws IOException {
    Path yaml = dir.resolve("node.yaml");
    Files.writeString(
        yaml,
        """
        tls-cert: /etc/quorumdns/n1.pem
        tls-key: /etc/quorumdns/n1-key.pem
        tls-ca: /etc/quorumdns/ca.pem
        api-client-certs: optional
        tls-reload-interval: 30s
        """);
    TlsConfig t = load(List.of("--config", yaml.toString()), Map.of()).tls();
    assertEquals(Path.of("/etc/quorumdns/ca.pem"), t.ca());
    assertEquals(TlsConfig.ClientCerts.OPTIONAL, t.apiClientCerts());
    assertEquals(Duration.ofSeconds(30), t.reloadInterval());
  }

  @Test
  void anEncryptedKeyTakesAPassphraseFile() {
    TlsConfig t =
        load(
                List.of("--tls-cert", "/c.pem", "--tls-key", "/k.pem"),
                Map.of("QUORUMDNS_TLS_KEY_PASSPHRASE_FILE", "/run/secrets/key-pass"))
            .tls();
    assertEquals(Path.of("/run/secrets/key-pass"), t.keyPassphraseFile());
    assertNull(
        load(List.of("--tls-cert", "/c.pem", "--tls-key", "/k.pem"), Map.of())
            .tls()
            .keyPassphraseFile());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--tls-cert /c.pem                                          | tls-key",
        "--tls-key /k.pem                                           | tls-cert",
        "--tls-ca /ca.pem                                           | tls-ca",
        "--tls-cert /c.pem --tls-key /k.pem --api-client-certs require | api-client-certs",
        "--tls-cert /c.pem --tls-key /k.pem --tls-ca /ca.pem --api-client-certs maybe | api-client-certs",
        "--tls-cert /c.pem --tls-key /k.pem --tls-reload-interval 10ms | tls-reload-interval",
        "--tls-key-passphrase-file /pass                            | tls-key-passphrase-file",
        "--tls-cert /c.pem --tls-key-passphrase-file /pass          | tls-key-passphrase-file",
      })
  void refusedCombinationsNameTheKey(String flags, String field) {
    ValidationException e =
        assertThrows(
            ValidationException.class, () -> load(List.of(flags.trim().split("\\s+")), Map.of()));
    assertEquals(field, e.field(), e.getMessage());
  }
}
