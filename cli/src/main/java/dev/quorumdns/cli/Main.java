package dev.quorumdns.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code quorumdns <command>}: the client commands, {@code certs} and {@code dev}. Exit codes: 0
 * done, 1 refused or failed, 2 bad usage (the message names the option), 3 the outcome of a write
 * is unknown.
 */
public final class Main {
  /** Exit code: the request was refused or failed. */
  static final int FAILED = 1;

  /** Exit code: bad usage, nothing was sent. */
  static final int USAGE = 2;

  /** Exit code: a write was sent and its outcome is unknown. */
  static final int UNKNOWN = 3;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err, System.console() != null));
  }

  /** Runs one command line with the given environment and streams; returns the exit code. */
  public static int run(
      String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
    PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
    PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
    try {
      return commandLine(new Context(env, o, e, terminal)).execute(args);
    } finally {
      o.flush();
      e.flush();
    }
  }

  /** The whole command tree, writing to the context's streams. */
  static CommandLine commandLine(Context ctx) {
    CommandLine cl = new CommandLine(new QuorumDns());
    cl.addSubcommand(new ServiceCommands.Register(ctx));
    cl.addSubcommand(new ServiceCommands.Deregister(ctx));
    cl.addSubcommand(new ServiceCommands.Get(ctx));
    cl.addSubcommand(new ServiceCommands.ListServices(ctx));
    cl.addSubcommand(new WatchCommand(ctx));
    cl.addSubcommand(new ClusterCommands.Status(ctx));
    CommandLine members = new CommandLine(new ClusterCommands.Members(ctx));
    members.addSubcommand(new ClusterCommands.AddMember(ctx));
    members.addSubcommand(new ClusterCommands.RemoveMember(ctx));
    members.addSubcommand(new ClusterCommands.LeaveMember(ctx));
    cl.addSubcommand(members);
    CommandLine lease = new CommandLine(new LeaseCommands.Lease(ctx));
    lease.addSubcommand(new LeaseCommands.Grant(ctx));
    lease.addSubcommand(new LeaseCommands.KeepAlive(ctx));
    lease.addSubcommand(new LeaseCommands.Get(ctx));
    lease.addSubcommand(new LeaseCommands.Revoke(ctx));
    cl.addSubcommand(lease);
    cl.addSubcommand(new LeaseCommands.Health(ctx));
    CommandLine snapshot = new CommandLine(new SnapshotCommands.Snapshot());
    snapshot.addSubcommand(new SnapshotCommands.Save(ctx));
    snapshot.addSubcommand(new SnapshotCommands.Restore(ctx));
    cl.addSubcommand(snapshot);
    cl.addSubcommand(new CertsCommand(ctx));
    cl.addSubcommand(new DevCluster(ctx));
    cl.addSubcommand(new NodeCommand());
    cl.addSubcommand(new CommandLine.HelpCommand());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(ctx.out());
    cl.setErr(ctx.err());
    cl.setParameterExceptionHandler(Main::badUsage);
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof UsageException u) {
            cmd.getErr().println("quorumdns: " + u.getMessage());
            return USAGE;
          }
          throw ex;
        });
    return cl;
  }

  /** Says what is wrong (naming the option or argument), and where help is; nothing is sent. */
  private static int badUsage(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("quorumdns: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("see: " + cmd.getCommandSpec().qualifiedName() + " --help");
    return USAGE;
  }
}
