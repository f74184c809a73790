package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code register}, {@code deregister}, {@code get}, {@code list}, {@code status}, {@code members}: thin
 * wrappers over the HTTP API. Exit codes: 0 done, 1 refused or failed, 2 bad usage, 3 outcome unknown.
 */
public final class ClientCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClientCommands() {}

  public static int run(String command, List<String> args) throws IOException, InterruptedException {
    return run(command, args, System.getenv(), System.out, System.err);
  }

  /**
   * Runs one client command with the given environment and output streams.
   *
   * @throws UsageException for bad usage (exit code 2), naming the option
   */
  public static int run(String command, List<String> args, Map<String, String> env, PrintStream out,
                        PrintStream err) throws IOException, InterruptedException {
    Options o = Options.parse(args);
    String server = o.value("server", env.getOrDefault("QUORUMDNS_SERVER", "127.0.0.11:8053"));
    // Not QUORUMDNS_TOKEN_FILE: that is the node's YAML file of scoped tokens; the client's holds one plain token.
    String tokenFile = o.value("token-file", env.get("QUORUMDNS_CLIENT_TOKEN_FILE"));
    String token = tokenFile == null || tokenFile.isBlank() ? null : readToken(Path.of(tokenFile));
    ApiClient client = new ApiClient(server, token, ClientTls.fromOptions(o.flags(), env));
    String stale = o.has("stale") ? "?stale" : "";
    try {
      ApiClient.Reply r = switch (command) {
        case "register" -> client.call("PUT", servicePath(o.positional(0, "NS/NAME")), registerBody(o));
        case "deregister" -> client.call("DELETE", servicePath(o.positional(0, "NS/NAME")), null);
        case "get" -> client.call("GET", servicePath(o.positional(0, "NS/NAME")) + stale, null);
        case "list" -> client.call("GET", "/v1/services" + (o.has("namespace")
            ? "?namespace=" + enc(o.value("namespace", "")) + (stale.isEmpty() ? "" : "&stale") : stale), null);
        case "status" -> client.call("GET", "/v1/cluster", null);
        case "members" -> members(client, o);
        default -> throw new UsageException("command", "unknown command '" + command + "' (see quorumdns help)");
      };
      out.print(r.body().endsWith("\n") ? r.body() : r.body() + "\n");
      return r.ok() ? 0 : r.status() == 504 ? 3 : 1;
    } catch (ConnectException | java.net.http.HttpConnectTimeoutException e) {
      err.println("quorumdns: cannot reach " + server + " (" + e.getMessage() + ")");
      return 1;
    } catch (javax.net.ssl.SSLException e) {
      err.println("quorumdns: TLS with " + server + " failed (" + e.getMessage() + "); check --ca, --cert, --key");
      return 1;
    } catch (IOException e) {
      if (isWrite(command, o)) {
        // The request may have reached the node and been applied: say so rather than "failed".
        err.println("quorumdns: the outcome of this write is unknown: no answer from " + server + " (" + e
            + "); check with 'quorumdns get' before retrying");
        return 3;
      }
      err.println("quorumdns: no HTTP answer from " + server + " (" + e.getMessage() + "); if the node "
          + "serves HTTPS, use --server https://HOST:PORT with --ca (and --cert/--key)");
      return 1;
    }
  }

  private static boolean isWrite(String command, Options o) {
    return command.equals("register") || command.equals("deregister")
        || (command.equals("members") && !o.positionals().isEmpty());
  }

  /** The one bearer token in a client token file; refuses a missing, empty or node (YAML) token file. */
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
      throw new UsageException("token-file", file + " is not a client token file (expected: one bearer "
          + "token on one line; the node's YAML token file holds secrets for many clients)");
    }
    return text;
  }

  private static ApiClient.Reply members(ApiClient client, Options o) throws IOException, InterruptedException {
    if (o.positionals().isEmpty()) {
      return client.call("GET", "/v1/cluster", null);
    }
    switch (o.positional(0, "add|remove")) {
      case "add" -> {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("id", o.positional(1, "ID"));
        body.put("raft", o.positional(2, "HOST:RAFTPORT"));
        body.put("role", o.has("listener") ? "listener" : "voter");
        return client.call("POST", "/v1/cluster/members", JSON.writeValueAsString(body));
      }
      case "remove" -> {
        return client.call("DELETE", "/v1/cluster/members/" + enc(o.positional(1, "ID")), null);
      }
      default -> throw new UsageException("members", "expected add or remove");
    }
  }

  private static String servicePath(String nsName) {
    return Names.servicePath(nsName);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Builds the JSON body from flags, or takes it from {@code --file}. */
  static String registerBody(Options o) throws IOException {
    if (o.has("file")) {
      return Files.readString(Path.of(o.value("file", null)));
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ArrayNode ports = body.putArray("ports");
    for (String p : o.values("port")) {
      String[] parts = p.split(":");
      if (parts.length != 3) {
        throw new UsageException("port", "'" + p + "' (expected: NAME:tcp|udp:PORT)");
      }
      ObjectNode po = ports.addObject();
      po.put("name", parts[0]);
      po.put("protocol", parts[1]);
      po.put("port", parseInt("port", parts[2]));
    }
    ArrayNode endpoints = body.putArray("endpoints");
    for (String e : o.values("endpoint")) {
      ObjectNode eo = endpoints.addObject();
      int colon = e.lastIndexOf(':');
      boolean hasPort = colon > 0 && e.indexOf(':') == colon;
      eo.put("address", hasPort ? e.substring(0, colon) : e);
      if (hasPort) {
        eo.put("port", parseInt("endpoint", e.substring(colon + 1)));
      }
    }
    ObjectNode labels = body.putObject("labels");
    for (String l : o.values("label")) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("label", "'" + l + "' (expected: KEY=VALUE)");
      }
      labels.put(l.substring(0, eq), l.substring(eq + 1));
    }
    if (o.has("vip4")) {
      body.put("vip4", o.value("vip4", null));
    }
    if (o.has("vip6")) {
      body.put("vip6", o.value("vip6", null));
    }
    return JSON.writeValueAsString(body);
  }

  private static int parseInt(String field, String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new UsageException(field, "'" + s + "' is not a number");
    }
  }

  /** {@code --key value} options (repeatable) and positional arguments. */
  record Options(Map<String, List<String>> flags, List<String> positionals) {
    private static final java.util.Set<String> BARE = java.util.Set.of("stale", "listener", "fresh");

    static Options parse(List<String> args) {
      Map<String, List<String>> flags = new java.util.LinkedHashMap<>();
      List<String> pos = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.startsWith("--")) {
          String key = a.substring(2);
          String value;
          int eq = key.indexOf('=');
          if (eq >= 0) {
            value = key.substring(eq + 1);
            key = key.substring(0, eq);
          } else if (BARE.contains(key)) {
            value = "";
          } else if (i + 1 < args.size()) {
            value = args.get(++i);
          } else {
            throw new UsageException(key, "needs a value");
          }
          flags.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        } else {
          pos.add(a);
        }
      }
      return new Options(flags, pos);
    }

    boolean has(String key) {
      return flags.containsKey(key);
    }

    String value(String key, String fallback) {
      List<String> v = flags.get(key);
      return v == null ? fallback : v.get(v.size() - 1);
    }

    List<String> values(String key) {
      return flags.getOrDefault(key, List.of());
    }

    String positional(int i, String what) {
      if (i >= positionals.size()) {
        throw new UsageException(what, "is required");
      }
      return positionals.get(i);
    }
  }
}
