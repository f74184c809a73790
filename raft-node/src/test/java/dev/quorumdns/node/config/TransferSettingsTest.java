package dev.quorumdns.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.transfer.TransferConfig;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zone transfer keys: off by default, TSIG required once keys are given, flags, environment and
 * YAML.
 */
class TransferSettingsTest {
  private static final List<String> BASE =
      List.of("--id", "n1", "--data-dir", "/tmp/q", "--peers", "n1=127.0.0.11:9053");
  private static final String KEY =
      "key \"quorumdns-xfr\" {\n\talgorithm hmac-sha256;\n"
          + "\tsecret \"VIg6XG8z7qNh6EWgfVCKqSYqFgCcWPcygND+09u9i2M=\";\n};\n";

  @TempDir Path dir;

  private static TransferConfig load(List<String> extra, Map<String, String> env) {
    List<String> args = new ArrayList<>(BASE);
    args.addAll(extra);
    return ConfigLoader.load(args, env).transfers();
  }

  private Path keyFile(String mode) throws IOException {
    Path f = dir.resolve("xfr.key");
    Files.writeString(f, KEY);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void withoutFlagsNothingMayTransferAndNobodyIsNotified() {
    TransferConfig t = load(List.of(), Map.of());
    assertEquals(TransferConfig.disabled(), t);
    assertFalse(t.enabled());
  }

  @Test
  void aKeyFileMakesTsigRequiredUnlessSaidOtherwise() throws IOException {
    Path f = keyFile("rw-------");
    TransferConfig t =
        load(
            List.of("--tsig-key-file", f.toString(), "--transfer-allow", "10.0.53.0/24"), Map.of());
    assertEquals(1, t.keys().size());
    assertEquals("quorumdns-xfr.", t.keys().get(0).name().toString());
    assertTrue(t.requireTsig());
    assertTrue(t.allow().contains(IpAddresses.parse("a", "10.0.53.9")));
    assertFalse(
        load(List.of("--tsig-key-file", f.toString(), "--transfer-require-tsig", "false"), Map.of())
            .requireTsig());
    assertFalse(
        load(List.of("--transfer-allow", "127.0.0.0/8"), Map.of()).requireTsig(),
        "no key, no TSIG");
  }

  @Test
  void flagsEnvironmentAndYamlSetEveryKey() throws IOException {
    Path f = keyFile("rw-------");
    Path yaml = dir.resolve("node.yaml");
    Files.writeString(
        yaml,
        "transfer-allow: [\"10.0.0.0/8\"]\ntsig-key-file: "
            + f
            + "\n"
            + "notify: [\"10.0.53.1\", \"10.0.53.2:5353\"]\nnotify-interval: 2s\ntransfer-concurrency: 3\n");
    TransferConfig t =
        load(
            List.of("--config", yaml.toString(), "--transfer-concurrency", "4"),
            Map.of("QUORUMDNS_TRANSFER_REQUIRE_TSIG", "false"));
    assertEquals(
        List.of(
            new InetSocketAddress(IpAddresses.parse("a", "10.0.53.1"), 53),
            new InetSocketAddress(IpAddresses.parse("a", "10.0.53.2"), 5353)),
        t.notifyTargets());
    assertEquals(Duration.ofSeconds(2), t.notifyInterval());
    assertEquals(4, t.maxConcurrent(), "the flag wins over the file");
    assertFalse(t.requireTsig(), "from the environment");
    assertTrue(t.allow().contains(IpAddresses.parse("a", "10.9.9.9")));
  }

  @Test
  void mistakesRefuseTheStartNamingTheKey() throws IOException {
    Path open = keyFile("rw-r--r--");
    assertEquals(
        "tsig-key-file",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--tsig-key-file", open.toString()), Map.of()))
            .field());
    assertEquals(
        "tsig-key-file",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--tsig-key-file", dir.resolve("missing").toString()), Map.of()))
            .field());
    assertEquals(
        "transfer-require-tsig",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--transfer-require-tsig", "true"), Map.of()))
            .field());
    assertEquals(
        "transfer-allow",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--transfer-allow", "10.0.0.1/8"), Map.of()))
            .field());
    assertEquals(
        "notify",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--notify", "secondary.example:53"), Map.of()))
            .field());
    assertEquals(
        "transfer-concurrency",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--transfer-concurrency", "0"), Map.of()))
            .field());
    assertEquals(
        "notify-interval",
        assertThrows(
                ValidationException.class,
                () -> load(List.of("--notify-interval", "10ms"), Map.of()))
            .field());
  }
}
