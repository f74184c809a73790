package dev.quorumdns.node.membership;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.node.runtime.FormationInfo.Peer;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a node that finds its cluster itself has promised or done, kept in {@code
 * <data-dir>/formation.json} and written (fsynced, then renamed into place) before it acts on it:
 * {@code locked} on a founding set (a promise that outlives restarts), {@code founded} (Raft
 * started with that set), or {@code joined} (Raft started empty, to be added by the cluster).
 * Immutable.
 *
 * @param founders the founding set for {@code locked} and {@code founded}, else null
 */
public record FormationMarker(State state, List<Peer> founders) {
  static final String FILE = "formation.json";
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public FormationMarker {
    founders = founders == null ? null : List.copyOf(founders);
  }

  /** What the node did. */
  public enum State {
    LOCKED,
    FOUNDED,
    JOINED
  }

  /**
   * The marker in {@code dataDir}, or null when there is none; throws when it cannot be read or
   * understood.
   */
  public static FormationMarker load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    JsonNode root = JSON.readTree(Files.readAllBytes(file));
    if (root == null || root.path("format").asInt() != FORMAT) {
      throw new IOException(
          file
              + ": unknown format "
              + (root == null ? "(empty)" : root.path("format"))
              + " (this build reads format "
              + FORMAT
              + ")");
    }
    State state;
    try {
      state = State.valueOf(root.path("state").asText().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": unknown state " + root.path("state"));
    }
    List<Peer> founders = null;
    if (root.path("founders").isArray()) {
      founders = new ArrayList<>();
      for (JsonNode p : root.get("founders")) {
        founders.add(new Peer(p.path("id").asText(), p.path("raft").asText()));
      }
    }
    if (state != State.JOINED && (founders == null || founders.isEmpty())) {
      throw new IOException(file + ": state " + state + " without founders");
    }
    return new FormationMarker(state, founders);
  }

  /** Writes this marker durably into {@code dataDir}, replacing any other. */
  public void save(Path dataDir) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("format", FORMAT);
    out.put("state", state.name().toLowerCase(Locale.ROOT));
    if (founders != null) {
      out.put("founders", founders);
    }
    Path tmp = dataDir.resolve(FILE + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    try {
      Files.move(
          tmp,
          dataDir.resolve(FILE),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a directory; the rename is still ordered after the file's own
      // sync.
    }
  }
}
