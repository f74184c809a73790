package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot save FILE} (a backup to take home: {@code GET /v1/cluster/snapshot}, checked as
 * it arrives, the file there only once complete) and {@code snapshot restore FILE --data-dir DIR}
 * (a data directory a node starts from as a new cluster). A damaged, truncated or foreign file is
 * refused with what is wrong; nothing is written then.
 */
final class SnapshotCommands {
  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(60);

  private SnapshotCommands() {}

  @Command(
      name = "snapshot",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "Back the registry up to a file, or build a node's data directory from one.")
  static final class Snapshot implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getErr());
      throw new ParameterException(spec.commandLine(), "a subcommand is required: save or restore");
    }
  }

  @Command(
      name = "save",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Download a consistent snapshot of the registry into FILE (GET /v1/cluster/snapshot; needs the "
            + "admin scope): a tar of the node's state with SHA-256 checksums (sha256sum -c SHA256SUMS checks an "
            + "unpacked copy). It is checked as it arrives and FILE appears, or is replaced, only once it is complete.",
        "Without --stale the node first makes sure it holds every write acknowledged before the request."
      })
  static final class Save extends ClientCommand {
    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "where the snapshot goes (replaced when complete)")
    Path file;

    @Option(
        names = "--stale",
        description =
            "save the node's replica as it is, without a quorum (when quorum is "
                + "lost); it may lack the newest writes")
    boolean stale;

    Save(Context ctx) {
      super(ctx);
    }

    @Override
    public Integer call() throws InterruptedException {
      Path target = file.toAbsolutePath();
      if (!Files.isDirectory(target.getParent())) {
        throw new UsageException("FILE", target.getParent() + " is not a directory");
      }
      if (Files.isDirectory(target)) {
        throw new UsageException("FILE", target + " is a directory (expected: a file name)");
      }
      Client client = options.client(ctx);
      String path = "/v1/cluster/snapshot" + (stale ? "?stale" : "");
      List<String> unreachable = new ArrayList<>();
      for (String server : client.servers()) {
        HttpResponse<InputStream> response;
        try {
          response = client.node(server).download(path, HEAD_TIMEOUT);
        } catch (ConnectException | HttpConnectTimeoutException e) {
          unreachable.add(
              server
                  + " ("
                  + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                  + ")");
          continue;
        } catch (SSLException e) {
          ctx.err()
              .println(
                  "quorumdns: TLS with "
                      + server
                      + " failed ("
                      + e.getMessage()
                      + "); check --ca, --cert, --key");
          return Main.FAILED;
        } catch (IOException e) {
          ctx.err().println("quorumdns: no answer from " + server + " (" + e + "); nothing saved");
          return Main.FAILED;
        } catch (IllegalArgumentException e) {
          throw new UsageException(
              "server",
              "'" + server + "' (expected: HOST:PORT or https://HOST:PORT): " + e.getMessage());
        }
        return receive(server, response, target);
      }
      ctx.err().println("quorumdns: cannot reach " + String.join(", ", unreachable));
      return Main.FAILED;
    }

    private int receive(String server, HttpResponse<InputStream> response, Path target) {
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
          JsonNode err = parse(text);
          ctx.err()
              .println(
                  "quorumdns: "
                      + response.statusCode()
                      + (err == null
                          ? " " + text.strip()
                          : " " + err.path("error").asText() + ": " + err.path("message").asText())
                      + "; nothing saved");
          return Main.FAILED;
        }
        Path part =
            Files.createTempFile(
                target.getParent(),
                "." + target.getFileName() + ".",
                ".part",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
          SnapshotFile.Manifest m;
          long bytes;
          try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE);
              OutputStream out = Channels.newOutputStream(ch)) {
            Tee tee = new Tee(new BufferedInputStream(body, 64 * 1024), out);
            m = SnapshotFile.read(tee, SnapshotFile.CHECK_ONLY);
            bytes = tee.count;
            ch.force(true);
          }
          Files.move(
              part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          print(target, server, m, bytes);
          return 0;
        } catch (SnapshotFile.SnapshotException e) {
          ctx.err()
              .println(
                  "quorumdns: the snapshot from "
                      + server
                      + " is unusable: "
                      + e.getMessage()
                      + "; nothing saved");
          return Main.FAILED;
        } catch (IOException e) {
          ctx.err()
              .println(
                  "quorumdns: the download from "
                      + server
                      + " broke off ("
                      + e
                      + "); nothing saved");
          return Main.FAILED;
        } finally {
          Files.deleteIfExists(part);
        }
      } catch (IOException e) {
        ctx.err()
            .println("quorumdns: cannot write next to " + target + " (" + e + "); nothing saved");
        return Main.FAILED;
      }
    }

    private void print(Path target, String server, SnapshotFile.Manifest m, long bytes) {
      if (options.format(ctx) == ClientOptions.Format.JSON) {
        ObjectNode o =
            JSON.createObjectNode()
                .put("file", target.toString())
                .put("bytes", bytes)
                .put("cluster", m.cluster())
                .put("node", m.node())
                .put("term", m.term())
                .put("index", m.index())
                .put("taken", m.taken().toString())
                .put("server", server);
        ctx.out().println(o.toString());
      } else {
        ctx.out()
            .println(
                "saved "
                    + target
                    + " ("
                    + bytes
                    + " bytes): snapshot of cluster "
                    + m.cluster()
                    + " at index "
                    + m.index()
                    + " (term "
                    + m.term()
                    + "), taken "
                    + m.taken()
                    + " on node "
                    + m.node());
      }
      ctx.out().flush();
    }

    private static JsonNode parse(String text) {
      try {
        JsonNode j = JSON.readTree(text);
        return j != null && j.isObject() ? j : null;
      } catch (IOException e) {
        return null;
      }
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Check a snapshot file saved by 'snapshot save' and build a node's data directory from it "
            + "(DIR/state). Start a node on DIR as a new one-member cluster (--peers listing only itself) and add "
            + "members to it with 'members add': it is the seed of a new cluster with every service and VIP of the "
            + "snapshot.",
        "Refused, with nothing written: a damaged, truncated or foreign file, a snapshot of another cluster than "
            + "--cluster, a DIR that is not empty."
      })
  static final class Restore implements Callable<Integer> {
    private final Context ctx;

    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "a snapshot saved by 'quorumdns snapshot save'")
    Path file;

    @Option(
        names = "--data-dir",
        required = true,
        paramLabel = "DIR",
        description = "the new node's data directory: absent or empty")
    Path dataDir;

    @Option(
        names = "--cluster",
        paramLabel = "NAME",
        description =
            "the cluster the node will run as (its "
                + "--cluster); a snapshot of another cluster is refused. Default: $QUORUMDNS_CLUSTER or quorumdns")
    String cluster;

    Restore(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
      String want =
          Names.label(
              "cluster",
              cluster != null ? cluster : ctx.env().getOrDefault("QUORUMDNS_CLUSTER", "quorumdns"));
      if (!Files.isRegularFile(file)) {
        throw new UsageException("FILE", file + " is not a file");
      }
      if (Files.exists(dataDir) && (!Files.isDirectory(dataDir) || !empty(dataDir))) {
        throw new UsageException(
            "data-dir",
            dataDir
                + " is not an empty directory: restore into a new one (a "
                + "node's data there would be mixed with the snapshot's)");
      }
      SnapshotFile.Manifest m;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
        m = SnapshotFile.read(in, SnapshotFile.CHECK_ONLY);
      } catch (SnapshotFile.SnapshotException e) {
        return refuse(e.getMessage());
      } catch (IOException e) {
        return refuse("cannot read it (" + e + ")");
      }
      if (!m.cluster().equals(want)) {
        return refuse(
            "a snapshot of cluster '"
                + m.cluster()
                + "', not of '"
                + want
                + "'; to restore it as its "
                + "own cluster give --cluster "
                + m.cluster()
                + " (and run its node with --cluster "
                + m.cluster()
                + ")");
      }
      boolean created = !Files.exists(dataDir);
      Files.createDirectories(
          dataDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path work = dataDir.resolve(".restore-" + ProcessHandle.current().pid());
      Path state = work.resolve("state");
      try {
        Files.createDirectories(state);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
          // Read and checked again while written: the file may have changed since the first pass.
          SnapshotFile.read(in, f -> durable(state.resolve(f.name().substring("state/".length()))));
        }
        force(state);
        Files.move(state, dataDir.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
        force(dataDir);
      } catch (SnapshotFile.SnapshotException e) {
        return refuse(e.getMessage());
      } catch (IOException e) {
        return refuse("cannot write " + dataDir + " (" + e + ")");
      } finally {
        deleteTree(work);
        if (created && !Files.exists(dataDir.resolve("state"))) {
          Files.deleteIfExists(dataDir);
        }
      }
      ctx.out()
          .println(
              "restored "
                  + file
                  + " into "
                  + dataDir.resolve("state")
                  + ": cluster "
                  + m.cluster()
                  + ", index "
                  + m.index()
                  + " (term "
                  + m.term()
                  + "), taken "
                  + m.taken()
                  + " on node "
                  + m.node()
                  + ", "
                  + m.files().size()
                  + " files, "
                  + m.stateBytes()
                  + " bytes");
      ctx.out()
          .println(
              "start a node on it as a new one-member cluster, then add members with 'quorumdns members "
                  + "add':");
      ctx.out()
          .println(
              "  quorumdns node --id ID --data-dir "
                  + dataDir
                  + " --peers ID=HOST:9053"
                  + (want.equals("quorumdns") ? "" : " --cluster " + want));
      ctx.out().flush();
      return 0;
    }

    private int refuse(String why) {
      ctx.err().println("quorumdns: " + file + ": " + why + "; nothing restored");
      return Main.FAILED;
    }

    /** A new file whose bytes reach the disk before it is closed. */
    private static OutputStream durable(Path f) throws IOException {
      FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      return new ForcedFile(ch);
    }

    private static boolean empty(Path dir) throws IOException {
      try (Stream<Path> s = Files.list(dir)) {
        return s.findAny().isEmpty();
      }
    }

    private static void force(Path dir) throws IOException {
      try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
        ch.force(true);
      }
    }

    private static void deleteTree(Path dir) throws IOException {
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Passes what is read through to {@code copy}, counting it. */
  private static final class Tee extends FilterInputStream {
    private final OutputStream copy;
    long count;

    Tee(InputStream in, OutputStream copy) {
      super(in);
      this.copy = copy;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        copy.write(b);
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        copy.write(b, off, n);
        count += n;
      }
      return n;
    }
  }

  /** Writes to a file channel and forces it to disk when closed. */
  private static final class ForcedFile extends OutputStream {
    private final FileChannel channel;
    private final OutputStream out;

    ForcedFile(FileChannel channel) {
      this.channel = channel;
      this.out = Channels.newOutputStream(channel);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      try {
        channel.force(true);
      } finally {
        out.close();
      }
    }
  }
}
