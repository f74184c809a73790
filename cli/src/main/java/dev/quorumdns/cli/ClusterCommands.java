package dev.quorumdns.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code status} and {@code members [add|remove]}: the cluster as a node sees it, and membership changes. */
final class ClusterCommands {
  private ClusterCommands() {}

  @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "The cluster as one node sees it: leader, term, indexes, members (GET /v1/cluster).")
  static final class Status extends ClientCommand {
    Status(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send("GET", "/v1/cluster", null, false, Output::cluster);
    }
  }

  @Command(name = "members", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "List the members; 'members add' and 'members remove' change them.")
  static final class Members extends ClientCommand {
    Members(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send("GET", "/v1/cluster", null, false, Output::cluster);
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Add a member (started with --join) as a voter, or as a non-voting listener.")
  static final class AddMember extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the new member's id")
    String id;

    @Parameters(index = "1", paramLabel = "HOST:RAFTPORT", description = "its Raft address")
    String raft;

    @Option(names = "--listener", description = "a non-voting member: replicates and answers DNS, does not count "
        + "towards quorum")
    boolean listener;

    AddMember(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException, JsonProcessingException {
      String body = JSON.writeValueAsString(JSON.createObjectNode().put("id", Names.label("id", id))
          .put("raft", raft).put("role", listener ? "listener" : "voter"));
      return send("POST", "/v1/cluster/members", body, true, Output::cluster);
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Remove a member; it stops itself once its Raft division closes.")
  static final class RemoveMember extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "the member's id")
    String id;

    RemoveMember(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      return send("DELETE", "/v1/cluster/members/" + URLEncoder.encode(Names.label("id", id),
          StandardCharsets.UTF_8), null, true, Output::cluster);
    }
  }
}
