package dev.quorumdns.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code status} and {@code members [add|remove]}: the cluster as a node sees it, and membership
 * changes.
 */
final class ClusterCommands {
  private ClusterCommands() {}

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "The cluster as one node sees it: leader, term, indexes, members (GET /v1/cluster).")
  static final class Status extends ClientCommand {
    Status(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send("GET", "/v1/cluster", null, false, Output::cluster);
    }
  }

  @Command(
      name = "members",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "List the members with their health and what the autopilot does with them (asked of the "
              + "leader, which tracks them); 'members add', 'remove' and 'leave' change them.")
  static final class Members extends ClientCommand {
    Members(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      Client.Result result = options.client(ctx).send("GET", "/v1/cluster", null);
      String leaderApi =
          result instanceof Client.Result.Answered a && a.reply().ok() ? leaderApi(a) : null;
      if (leaderApi != null) {
        Client.Result fromLeader =
            options.client(ctx, List.of(leaderApi)).send("GET", "/v1/cluster", null);
        if (fromLeader instanceof Client.Result.Answered b && b.reply().ok()) {
          result = fromLeader;
        }
      }
      return print(result, false, Output::cluster);
    }

    /**
     * The leader's API address when the node that answered does not track member health (only the
     * leader does), in the scheme of the server asked; null otherwise.
     */
    private static String leaderApi(Client.Result.Answered a) {
      JsonNode c;
      try {
        c = JSON.readTree(a.reply().body());
      } catch (IOException e) {
        return null;
      }
      if (c.path("autopilot").path("tracking").asBoolean(true) || !c.path("leader").isTextual()) {
        return null;
      }
      for (JsonNode m : c.path("members")) {
        if (m.path("id").asText().equals(c.get("leader").asText()) && m.path("api").isTextual()) {
          return (a.server().startsWith("https://")
                  ? "https://"
                  : a.server().startsWith("http://") ? "http://" : "")
              + m.get("api").asText();
        }
      }
      return null;
    }
  }

  @Command(
      name = "leave",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description =
          "Remove this node from the cluster (DELETE /v1/cluster/members/ID through --server), e.g. from "
              + "a Kubernetes preStop hook with --if-scaled-down.")
  static final class LeaveMember extends ClientCommand {
    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "the member to remove. Default: $QUORUMDNS_ID, else " + "the host name")
    String id;

    @Option(
        names = "--if-scaled-down",
        description =
            "only when this pod is being scaled away: its StatefulSet "
                + "ordinal (from the host name, <statefulset>-<n>) is at or above the StatefulSet's replicas, read from the "
                + "Kubernetes API with the pod's service account. A pod restarted for any other reason stays a member.")
    boolean ifScaledDown;

    LeaveMember(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      String member =
          id != null
              ? id
              : ctx.env().getOrDefault("QUORUMDNS_ID", KubernetesScale.hostname(ctx.env()));
      member = Names.label("id", member);
      if (ifScaledDown) {
        KubernetesScale.Decision d = KubernetesScale.fromPod(ctx.env()).check(member);
        ctx.err().println("quorumdns: " + d.reason());
        ctx.err().flush();
        if (!d.leave()) {
          return 0;
        }
      }
      return send(
          "DELETE",
          "/v1/cluster/members/" + URLEncoder.encode(member, StandardCharsets.UTF_8),
          null,
          true,
          Output::cluster);
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "Add a member (started with --join) as a voter, or as a non-voting listener.")
  static final class AddMember extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the new member's id")
    String id;

    @Parameters(index = "1", paramLabel = "HOST:RAFTPORT", description = "its Raft address")
    String raft;

    @Option(
        names = "--listener",
        description =
            "a non-voting member: replicates and answers DNS, does not count " + "towards quorum")
    boolean listener;

    AddMember(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException, JsonProcessingException {
      String body =
          JSON.writeValueAsString(
              JSON.createObjectNode()
                  .put("id", Names.label("id", id))
                  .put("raft", raft)
                  .put("role", listener ? "listener" : "voter"));
      return send("POST", "/v1/cluster/members", body, true, Output::cluster);
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "Remove a member; it stops itself once its Raft division closes.")
  static final class RemoveMember extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the member's id")
    String id;

    RemoveMember(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send(
          "DELETE",
          "/v1/cluster/members/" + URLEncoder.encode(Names.label("id", id), StandardCharsets.UTF_8),
          null,
          true,
          Output::cluster);
    }
  }
}
