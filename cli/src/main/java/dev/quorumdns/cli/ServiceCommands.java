package dev.quorumdns.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code register}, {@code deregister}, {@code get} and {@code list}: the registry over the HTTP
 * API.
 */
final class ServiceCommands {
  private ServiceCommands() {}

  /** The {@code If-Match} header of {@code --if-match REVISION}, or none. */
  static Map<String, String> conditional(Long revision) {
    if (revision == null) {
      return Map.of();
    }
    if (revision < 1) {
      throw new UsageException("if-match", revision + " (expected: a revision, 1 or more)");
    }
    return Map.of("If-Match", "\"" + revision + "\"");
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Create or update a service (PUT /v1/services/NS/NAME); prints it with its VIPs.")
  static final class Register extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "NS/NAME",
        description = "the service's namespace and name")
    String service;

    @Option(
        names = "--port",
        paramLabel = "NAME:tcp|udp:PORT",
        description = "a port (a named one gives an SRV " + "record); repeatable")
    List<String> ports = new ArrayList<>();

    @Option(
        names = "--endpoint",
        paramLabel = "ADDR[:PORT]",
        description = "an instance behind the VIP; repeatable")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "a label; repeatable")
    List<String> labels = new ArrayList<>();

    @Option(
        names = "--vip4",
        paramLabel = "IP",
        description = "ask for this IPv4 VIP from the pool")
    String vip4;

    @Option(
        names = "--vip6",
        paramLabel = "IP",
        description = "ask for this IPv6 VIP from the pool")
    String vip6;

    @Option(
        names = "--lease",
        paramLabel = "LEASE",
        description =
            "register the --endpoint instances with this "
                + "lease: they leave the service when it is revoked or expires (quorumdns lease grant)")
    String lease;

    @Option(
        names = "--headless",
        description =
            "no VIP: DNS answers with the passing and warning endpoints' "
                + "addresses (a registered service cannot switch)")
    boolean headless;

    @Option(
        names = "--file",
        paramLabel = "BODY.json",
        description = "send this JSON body instead of building " + "one from the options above")
    Path file;

    @Option(
        names = "--if-match",
        paramLabel = "REVISION",
        description =
            "only if the service is at this revision "
                + "(compare-and-set); refused otherwise (412, exit 1) with its current revision")
    Long ifMatch;

    @Option(
        names = "--create-only",
        description = "only if no service has this name yet (If-None-Match: *)")
    boolean createOnly;

    Register(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
      String path = Names.servicePath(service);
      if (ifMatch != null && createOnly) {
        throw new UsageException("create-only", "cannot be combined with --if-match");
      }
      Map<String, String> headers =
          createOnly ? Map.of("If-None-Match", "*") : conditional(ifMatch);
      return send("PUT", path, body(), headers, true, Output::service);
    }

    /** The JSON body from the options, or from {@code --file}. */
    String body() throws IOException {
      if (file != null) {
        if (!ports.isEmpty()
            || !endpoints.isEmpty()
            || !labels.isEmpty()
            || vip4 != null
            || vip6 != null
            || lease != null
            || headless) {
          throw new UsageException(
              "file",
              "cannot be combined with --port, --endpoint, --label, --vip4, --vip6, "
                  + "--lease, --headless");
        }
        return Files.readString(file);
      }
      if (lease != null && endpoints.isEmpty()) {
        throw new UsageException("lease", "goes with the endpoints it keeps (--endpoint)");
      }
      if (headless && (vip4 != null || vip6 != null)) {
        throw new UsageException("headless", "a headless service has no VIP (drop --vip4/--vip6)");
      }
      String leaseId = lease == null ? null : LeaseCommands.id("lease", lease);
      ObjectNode body = JSON.createObjectNode();
      ArrayNode portsJson = body.putArray("ports");
      for (String p : ports) {
        String[] parts = p.split(":");
        if (parts.length != 3) {
          throw new UsageException("port", "'" + p + "' (expected: NAME:tcp|udp:PORT)");
        }
        portsJson
            .addObject()
            .put("name", parts[0])
            .put("protocol", parts[1])
            .put("port", number("port", parts[2]));
      }
      ArrayNode endpointsJson = body.putArray("endpoints");
      for (String e : endpoints) {
        ObjectNode eo = endpointsJson.addObject();
        int colon = e.lastIndexOf(':');
        boolean hasPort = colon > 0 && e.indexOf(':') == colon;
        eo.put("address", hasPort ? e.substring(0, colon) : e);
        if (hasPort) {
          eo.put("port", number("endpoint", e.substring(colon + 1)));
        }
        if (leaseId != null) {
          eo.put("lease", leaseId);
        }
      }
      ObjectNode labelsJson = body.putObject("labels");
      for (String l : labels) {
        int eq = l.indexOf('=');
        if (eq <= 0) {
          throw new UsageException("label", "'" + l + "' (expected: KEY=VALUE)");
        }
        labelsJson.put(l.substring(0, eq), l.substring(eq + 1));
      }
      if (vip4 != null) {
        body.put("vip4", vip4);
      }
      if (vip6 != null) {
        body.put("vip6", vip6);
      }
      if (headless) {
        body.put("headless", true);
      }
      try {
        return JSON.writeValueAsString(body);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    private static int number(String option, String s) {
      try {
        return Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new UsageException(option, "'" + s + "' is not a number");
      }
    }
  }

  @Command(
      name = "deregister",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Delete a service (DELETE /v1/services/NS/NAME); its VIP is held for it for vip-hold-down.")
  static final class Deregister extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "NS/NAME",
        description = "the service's namespace and name")
    String service;

    @Option(
        names = "--if-match",
        paramLabel = "REVISION",
        description =
            "only if the service is at this revision "
                + "(compare-and-set); refused otherwise (412, exit 1) with its current revision")
    Long ifMatch;

    Deregister(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send(
          "DELETE", Names.servicePath(service), null, conditional(ifMatch), true, Output::service);
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "Show one service: a linearizable read, or this node's copy with --stale.")
  static final class Get extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "NS/NAME",
        description = "the service's namespace and name")
    String service;

    @Option(
        names = "--stale",
        description = "answer from the node's own copy, without a Raft round trip")
    boolean stale;

    Get(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send(
          "GET",
          Names.servicePath(service) + (stale ? "?stale" : ""),
          null,
          false,
          Output::service);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "List services, of one namespace or all.")
  static final class ListServices extends ClientCommand {
    @Option(names = "--namespace", paramLabel = "NS", description = "only this namespace")
    String namespace;

    @Option(
        names = "--stale",
        description = "answer from the node's own copy, without a Raft round trip")
    boolean stale;

    ListServices(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      List<String> query = new ArrayList<>();
      if (namespace != null) {
        query.add(
            "namespace="
                + URLEncoder.encode(Names.label("namespace", namespace), StandardCharsets.UTF_8));
      }
      if (stale) {
        query.add("stale");
      }
      return send(
          "GET",
          "/v1/services" + (query.isEmpty() ? "" : "?" + String.join("&", query)),
          null,
          false,
          Output::services);
    }
  }
}
