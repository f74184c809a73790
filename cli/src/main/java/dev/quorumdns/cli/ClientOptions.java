package dev.quorumdns.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: where the nodes are, the token, TLS, and the output
 * format. Unset options fall back to {@code QUORUMDNS_SERVER}, {@code QUORUMDNS_CLIENT_TOKEN_FILE},
 * {@code QUORUMDNS_CA}, {@code QUORUMDNS_CERT}, {@code QUORUMDNS_KEY} and {@code
 * QUORUMDNS_KEY_PASSPHRASE_FILE}. Filled in by picocli; read once per command.
 */
final class ClientOptions {
  static final String DEFAULT_SERVER = "127.0.0.11:8053";

  /** How replies are printed. */
  enum Format {
    TABLE,
    JSON
  }

  @Option(
      names = "--server",
      split = ",",
      paramLabel = "HOST:PORT|URL",
      description =
          "a node's API (https://HOST:PORT for TLS); several (repeated or comma-separated) are tried "
              + "in turn until one can be reached. Default: $QUORUMDNS_SERVER or "
              + DEFAULT_SERVER)
  List<String> servers = new ArrayList<>();

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "a file holding one bearer token. Default: $QUORUMDNS_CLIENT_TOKEN_FILE")
  Path tokenFile;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description = "the cluster CA to trust (PEM). Default: $QUORUMDNS_CA")
  Path ca;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description = "a client certificate for mutual TLS (PEM). Default: $QUORUMDNS_CERT")
  Path cert;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      description =
          "the client certificate's key (PEM: PKCS#8, PKCS#1 RSA, SEC1 EC or encrypted PKCS#8). "
              + "Default: $QUORUMDNS_KEY")
  Path key;

  @Option(
      names = "--key-passphrase-file",
      paramLabel = "FILE",
      description =
          "a file whose first line is the passphrase of an encrypted --key. "
              + "Default: $QUORUMDNS_KEY_PASSPHRASE_FILE")
  Path keyPassphraseFile;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "table|json",
      description =
          "table (the default on a terminal) or json (the default otherwise: the API's answer as is)")
  Format output;

  /** The servers to try, in order. */
  List<String> servers(Map<String, String> env) {
    List<String> out = new ArrayList<>();
    List<String> given =
        servers.isEmpty()
            ? List.of(env.getOrDefault("QUORUMDNS_SERVER", DEFAULT_SERVER).split(","))
            : servers;
    for (String s : given) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    if (out.isEmpty()) {
      throw new UsageException("server", "is empty (expected: HOST:PORT or https://HOST:PORT)");
    }
    return out;
  }

  Format format(Context ctx) {
    return output != null ? output : ctx.terminal() ? Format.TABLE : Format.JSON;
  }

  /**
   * A client for these options: the token read, the TLS context built; bad files are usage errors.
   */
  Client client(Context ctx) {
    return client(ctx, servers(ctx.env()));
  }

  /** A client for {@code servers} with these options' token and TLS. */
  Client client(Context ctx, List<String> servers) {
    Map<String, String> env = ctx.env();
    // Not QUORUMDNS_TOKEN_FILE: that is the node's YAML file of scoped tokens; the client's holds
    // one plain token.
    Path tokens = tokenFile != null ? tokenFile : path(env.get("QUORUMDNS_CLIENT_TOKEN_FILE"));
    String token = tokens == null ? null : readToken(tokens);
    return new Client(
        servers,
        token,
        ClientTls.context(
            ca != null ? ca : path(env.get("QUORUMDNS_CA")),
            cert != null ? cert : path(env.get("QUORUMDNS_CERT")),
            key != null ? key : path(env.get("QUORUMDNS_KEY")),
            keyPassphraseFile != null
                ? keyPassphraseFile
                : path(env.get("QUORUMDNS_KEY_PASSPHRASE_FILE"))));
  }

  private static Path path(String s) {
    return s == null || s.isBlank() ? null : Path.of(s);
  }

  /**
   * The one bearer token in a client token file; refuses a missing, empty or node (YAML) token
   * file.
   */
  static String readToken(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UsageException("token-file", "cannot read " + file + " (" + e + ")");
    }
    if (text.isEmpty()) {
      throw new UsageException("token-file", file + " is empty (expected: one bearer token)");
    }
    if (text.startsWith("tokens:") || text.contains("\n")) {
      throw new UsageException(
          "token-file",
          file
              + " is not a client token file (expected: one bearer "
              + "token on one line; the node's YAML token file holds secrets for many clients)");
    }
    return text;
  }
}
