package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lease grant|keepalive|revoke|get} and {@code health}: leases (endpoints registered with
 * one leave their service when it expires) and endpoint health, over the HTTP API.
 */
final class LeaseCommands {
  private static final Pattern ID = Pattern.compile("[0-9a-fA-F]{1,16}");
  private static final Pattern TTL = Pattern.compile("\\d{1,10}(ms|s|m|h)?");

  private LeaseCommands() {}

  /**
   * A lease id as the API prints it (1 to 16 hex digits); a {@link UsageException} if it is not
   * one.
   */
  static String id(String field, String value) {
    if (value == null || !ID.matcher(value).matches()) {
      throw new UsageException(field, "'" + value + "' (expected: a lease id, 1 to 16 hex digits)");
    }
    return value.toLowerCase(Locale.ROOT);
  }

  /** {@code quorumdns lease}: the subcommands. */
  @Command(
      name = "lease",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Grant, keep alive, show and revoke leases: an endpoint registered with a lease "
              + "(register --lease) leaves its service when the lease is revoked or expires.")
  static final class Lease implements Callable<Integer> {
    final Context ctx;

    Lease(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() {
      throw new UsageException(
          "lease", "a subcommand is required (grant, keepalive, get or revoke)");
    }
  }

  @Command(
      name = "grant",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "Grant a lease (POST /v1/leases); prints its id.")
  static final class Grant extends ClientCommand {
    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        required = true,
        description = "how long it lives without a keepalive: 5s..1h (15s, 2m, 1h)")
    String ttl;

    Grant(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      if (!TTL.matcher(ttl).matches()) {
        throw new UsageException(
            "ttl", "'" + ttl + "' (expected: a duration such as 15s, 2m or 1h)");
      }
      return send(
          "POST",
          "/v1/leases",
          "{\"ttl\":\"" + ttl + "\"}",
          true,
          (out, l) ->
              out.line(
                  "lease " + l.path("id").asText() + " granted, ttl " + l.path("ttl").asText()));
    }
  }

  @Command(
      name = "keepalive",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Keep a lease alive (PUT /v1/leases/ID/keepalive): every third of its TTL until it is gone "
            + "or the command is stopped, or once with --once.",
        "Keepalives go to the leader and write nothing to the log. A node that cannot be reached, or a cluster "
            + "without a leader, is retried; a lease that is gone ends the command with exit code 1."
      })
  static final class KeepAlive extends ClientCommand {
    @Parameters(index = "0", paramLabel = "LEASE", description = "the lease id")
    String lease;

    @Option(names = "--once", description = "send one keepalive and stop")
    boolean once;

    KeepAlive(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
      String path = "/v1/leases/" + id("LEASE", lease) + "/keepalive";
      if (once) {
        return send("PUT", path, null, false, KeepAlive::print);
      }
      Client client = options.client(ctx);
      while (true) {
        Client.Result result = client.send("PUT", path, null);
        long pause = 1000;
        if (result instanceof Client.Result.Answered a && a.reply().ok()) {
          JsonNode l = JSON.readTree(a.reply().body());
          if (options.format(ctx) == ClientOptions.Format.JSON) {
            ctx.out().println(l);
          } else {
            print(new Output(ctx.out()), l);
          }
          ctx.out().flush();
          pause = Math.max(1000, l.path("ttlMillis").asLong(3000) / 3);
        } else if (result instanceof Client.Result.Answered a && a.reply().status() != 503) {
          ctx.err().println("quorumdns: " + a.reply().status() + " " + a.reply().body().strip());
          return Main.FAILED;
        } else {
          ctx.err()
              .println(
                  "quorumdns: keepalive not answered ("
                      + (result instanceof Client.Result.Failed f ? f.message() : "no leader")
                      + "); retrying");
        }
        Thread.sleep(pause);
      }
    }

    private static void print(Output out, JsonNode l) {
      out.line("lease " + l.path("id").asText() + " kept alive, ttl " + l.path("ttl").asText());
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Show a lease and how long it has left, as the leader tracks it (GET /v1/leases/ID).")
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "LEASE", description = "the lease id")
    String lease;

    Get(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send(
          "GET",
          "/v1/leases/" + id("LEASE", lease),
          null,
          false,
          (out, l) ->
              out.line(
                  "lease "
                      + l.path("id").asText()
                      + ", ttl "
                      + l.path("ttl").asText()
                      + ", "
                      + l.path("remainingMillis").asLong()
                      + " ms left"));
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Revoke a lease (DELETE /v1/leases/ID): its endpoints leave their services now.")
  static final class Revoke extends ClientCommand {
    @Parameters(index = "0", paramLabel = "LEASE", description = "the lease id")
    String lease;

    Revoke(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send(
          "DELETE",
          "/v1/leases/" + id("LEASE", lease),
          null,
          true,
          (out, l) -> {
            StringBuilder services = new StringBuilder();
            l.path("services")
                .forEach(
                    s -> services.append(services.length() == 0 ? "" : ", ").append(s.asText()));
            out.line(
                "lease "
                    + l.path("id").asText()
                    + " revoked"
                    + (services.length() == 0 ? "" : "; endpoints removed from " + services));
          });
    }
  }

  @Command(
      name = "health",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Set the health of a service's endpoint (PUT /v1/services/NS/NAME/endpoints/ENDPOINT/health); "
              + "a headless service's DNS answers list its passing and warning endpoints.")
  static final class Health extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "NS/NAME",
        description = "the service's namespace and name")
    String service;

    @Parameters(
        index = "1",
        paramLabel = "ENDPOINT",
        description = "ADDR, ADDR:PORT or [IPV6]:PORT, as registered")
    String endpoint;

    @Parameters(index = "2", paramLabel = "STATE", description = "passing, warning or critical")
    String state;

    Health(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      String s = state.toLowerCase(Locale.ROOT);
      if (!s.equals("passing") && !s.equals("warning") && !s.equals("critical")) {
        throw new UsageException(
            "STATE", "'" + state + "' (expected: passing, warning or critical)");
      }
      String path =
          Names.servicePath(service)
              + "/endpoints/"
              + URLEncoder.encode(endpoint, StandardCharsets.UTF_8)
              + "/health";
      return send("PUT", path, "{\"health\":\"" + s + "\"}", true, Output::service);
    }
  }
}
