package dev.quorumdns.server;

import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.NodeFlags;
import dev.quorumdns.node.runtime.CommonPool;
import dev.quorumdns.registry.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code quorumdns node ...}: runs one node (the runtime and its HTTP API) until SIGTERM. Exit
 * codes: 0 stopped (or removed from the cluster), 1 failed to start or stopped on an error, 2 bad
 * configuration (the message names the key).
 */
public final class ServerMain {
  private ServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    // Before anything touches CompletableFuture: on two processors it would otherwise start a
    // thread for every asynchronous stage Ratis runs without an executor.
    CommonPool.size();
    System.exit(run(args));
  }

  private static int run(String[] args) throws InterruptedException {
    if (args.length == 0 || !args[0].equals("node")) {
      System.err.println("quorumdns: the server runs nodes only: quorumdns node --help");
      return 2;
    }
    CommandLine cl = NodeFlags.commandLine();
    NodeConfig config;
    try {
      ParseResult parsed = cl.parseArgs(Arrays.copyOfRange(args, 1, args.length));
      if (parsed.isUsageHelpRequested()) {
        cl.usage(System.out);
        return 0;
      }
      if (parsed.isVersionHelpRequested()) {
        System.out.println("quorumdns " + version());
        return 0;
      }
      config = ConfigLoader.load(NodeFlags.settings(parsed), System.getenv());
    } catch (ParameterException e) {
      System.err.println(
          "quorumdns: " + NodeFlags.refusal(e).getMessage() + " (see: quorumdns node --help)");
      return 2;
    } catch (ValidationException e) {
      System.err.println("quorumdns: " + e.getMessage());
      return 2;
    }
    return runNode(config);
  }

  private static int runNode(NodeConfig config) throws InterruptedException {
    System.setProperty("quorumdns.node", config.id());
    Logger log = LoggerFactory.getLogger(ServerMain.class);
    log.info(
        "quorumdns {} starting node {} (Java {}, {} {})",
        version(),
        config.id(),
        Runtime.version(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"));
    if (!CommonPool.shared()) {
      log.warn(
          "the JVM's common pool has {} thread(s): asynchronous tasks each start a thread of"
              + " their own (java.util.concurrent.ForkJoinPool.common.parallelism is {})",
          ForkJoinPool.getCommonPoolParallelism(),
          System.getProperty(CommonPool.PARALLELISM));
    }
    Server server;
    try {
      server =
          new Server(
              config,
              Clock.systemUTC(),
              code -> new Thread(() -> System.exit(code), "quorumdns-exit").start());
    } catch (ValidationException e) {
      System.err.println("quorumdns: node " + config.id() + " refused to start: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "quorumdns-shutdown"));
    try {
      server.start();
    } catch (ValidationException e) {
      System.err.println("quorumdns: node " + config.id() + " refused to start: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println(
          "quorumdns: node " + config.id() + " failed to start: " + causes(e) + damaged(e, config));
      return 1;
    }
    SystemdNotify.ready(
        System.getenv(),
        "systemd-notify",
        "node "
            + config.id()
            + " serving DNS on port "
            + config.dnsPort()
            + ", API on "
            + config.apiPort());
    stopped.await();
    return 0;
  }

  /**
   * The version this build was made from: the jar manifest's {@code Implementation-Version}, or, on
   * a class path of directories (tests, an IDE), {@code version.properties}.
   */
  static String version() {
    String manifest = ServerMain.class.getPackage().getImplementationVersion();
    if (manifest != null) {
      return manifest;
    }
    Properties p = new Properties();
    try (InputStream in = ServerMain.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }

  /** {@code e} and its causes, outermost first (a cycle ends the chain). */
  private static List<Throwable> chain(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }

  /**
   * Every cause of {@code e}, outermost first, without the wrappers that only repeat their cause
   * (CompletionException): the root cause (a checksum, a full disk) is what an operator acts on.
   */
  static String causes(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t : chain(e)) {
      Throwable cause = t.getCause();
      if (cause != null && t.getMessage() != null && t.getMessage().equals(cause.toString())) {
        continue;
      }
      out.append(out.length() == 0 ? "" : "; caused by ").append(t);
    }
    return out.toString();
  }

  /** What to do when a cause names damaged data (a checksum that does not match). */
  static String damaged(Throwable e, NodeConfig config) {
    for (Throwable t : chain(e)) {
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t.getClass().getSimpleName().equals("ChecksumException")
          || message.contains("checksum mismatch")
          || message.contains("corrupt")) {
        return ". The data in "
            + config.dataDir()
            + " is damaged: remove this member, wipe that directory, start it with --join and add"
            + " it again (README, \"A node whose data is damaged\")";
      }
    }
    return "";
  }
}
