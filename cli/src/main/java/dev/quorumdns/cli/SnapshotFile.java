package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a snapshot archive (what {@code GET /v1/cluster/snapshot} sends, format version 1) in one
 * pass and checks all of it: a ustar tar whose first entry is {@code quorumdns-snapshot.json}
 * (format and version, cluster, node, term, index, time, and the {@code state/} files in order with
 * their sizes), then those files, then {@code SHA256SUMS} with the SHA-256 of the manifest and of
 * every file, then nothing but the zero blocks that end a tar. Every header's checksum, every
 * padding byte and every file's SHA-256 is checked, so a changed byte anywhere is found; a file
 * that is not such an archive, or of a newer version, is refused as such. The node writes the
 * format (http-api's {@code SnapshotArchive}); this is the client's own reader. Stateless.
 */
final class SnapshotFile {
  static final String MANIFEST = "quorumdns-snapshot.json";
  static final String SUMS = "SHA256SUMS";
  static final String FORMAT = "quorumdns-snapshot";
  static final int VERSION = 1;
  private static final int BLOCK = 512;
  private static final int MAX_MANIFEST = 4 << 20;
  private static final Pattern STATE_FILE = Pattern.compile("state/[A-Za-z0-9._-]{1,90}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  private SnapshotFile() {}

  /** One {@code state/} file of a snapshot. Immutable. */
  record StateFile(String name, long size) {}

  /**
   * What a snapshot holds. Immutable.
   *
   * @param files the {@code state/} files in archive order
   */
  record Manifest(
      String cluster, String node, long term, long index, Instant taken, List<StateFile> files) {
    Manifest {
      files = List.copyOf(files);
    }

    long stateBytes() {
      return files.stream().mapToLong(StateFile::size).sum();
    }
  }

  /**
   * Where the {@code state/} files go while they are read. Their bytes are not checked until the
   * whole archive has been: a sink that keeps them must discard them when {@link #read} throws.
   */
  @FunctionalInterface
  interface Sink {
    /** A stream for the file's bytes; closed by the reader once they are all written. */
    OutputStream open(StateFile file) throws IOException;
  }

  /** A sink that keeps nothing (checking only). */
  static final Sink CHECK_ONLY = file -> OutputStream.nullOutputStream();

  /**
   * A snapshot that cannot be used: not an archive of ours, a newer version, damaged, truncated, or
   * refused.
   */
  static final class SnapshotException extends Exception {
    private static final long serialVersionUID = 1L;

    SnapshotException(String message) {
      super(message);
    }
  }

  /**
   * Reads and checks the whole archive from {@code in} (to its end), handing each state file to
   * {@code sink}.
   */
  static Manifest read(InputStream in, Sink sink) throws SnapshotException, IOException {
    Reader r = new Reader(in);
    byte[] first = r.first();
    if (first == null || !MANIFEST.equals(name(first)) || !ustar(first)) {
      throw new SnapshotException(
          "not a QuorumDNS snapshot: it does not start with "
              + MANIFEST
              + " (a file saved by 'quorumdns snapshot save' does)");
    }
    r.checkHeader(first);
    long manifestSize = size(first, r);
    if (manifestSize > MAX_MANIFEST) {
      throw new SnapshotException(
          "not a QuorumDNS snapshot: its manifest is " + manifestSize + " bytes");
    }
    byte[] manifestBytes = r.body(manifestSize);
    Manifest m = manifest(manifestBytes);
    List<String> sums = new ArrayList<>();
    sums.add(sha256(manifestBytes) + "  " + MANIFEST);
    for (StateFile f : m.files()) {
      byte[] h = r.header();
      if (h == null) {
        throw new SnapshotException(
            "truncated: the archive ends before " + f.name() + " (an incomplete copy?)");
      }
      r.checkHeader(h);
      if (!f.name().equals(name(h)) || size(h, r) != f.size()) {
        throw new SnapshotException(
            "damaged: found "
                + name(h)
                + " ("
                + size(h, r)
                + " bytes) where the manifest"
                + " lists "
                + f.name()
                + " ("
                + f.size()
                + " bytes)");
      }
      try (OutputStream out = sink.open(f)) {
        sums.add(r.copy(f.size(), out) + "  " + f.name());
      }
    }
    byte[] h = r.header();
    if (h == null) {
      throw new SnapshotException(
          "truncated: the archive ends before its " + SUMS + " (an incomplete copy?)");
    }
    r.checkHeader(h);
    if (!SUMS.equals(name(h))) {
      throw new SnapshotException(
          "damaged: found " + name(h) + " where " + SUMS + " should follow the last file");
    }
    String expected = String.join("\n", sums) + "\n";
    String stored = new String(r.body(size(h, r)), StandardCharsets.US_ASCII);
    if (!stored.equals(expected)) {
      throw new SnapshotException("damaged: " + firstMismatch(stored, expected));
    }
    r.end();
    return m;
  }

  private static String firstMismatch(String stored, String expected) {
    List<String> s = stored.lines().toList();
    List<String> e = expected.lines().toList();
    for (int i = 0; i < e.size(); i++) {
      String name = e.get(i).substring(66);
      if (i >= s.size() || !s.get(i).equals(e.get(i))) {
        return name
            + " fails its SHA-256 check ("
            + SUMS
            + " lists "
            + (i < s.size() ? s.get(i).split(" ")[0] : "nothing")
            + ", the bytes hash to "
            + e.get(i).split(" ")[0]
            + ")";
      }
    }
    return SUMS + " lists more than the archive holds";
  }

  private static Manifest manifest(byte[] bytes) throws SnapshotException {
    JsonNode j;
    try {
      j = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new SnapshotException(
          "damaged: "
              + MANIFEST
              + " is not JSON ("
              + e.getMessage().lines().findFirst().orElse("")
              + ")");
    }
    if (j == null || !j.isObject() || !FORMAT.equals(j.path("format").asText())) {
      throw new SnapshotException(
          "not a QuorumDNS snapshot: " + MANIFEST + " has no \"format\": \"" + FORMAT + "\"");
    }
    int version = j.path("version").asInt(-1);
    if (version != VERSION) {
      throw new SnapshotException(
          "snapshot format version "
              + j.path("version")
              + " is not one this quorumdns "
              + "reads ("
              + VERSION
              + ")"
              + (version > VERSION ? "; use the quorumdns release that wrote it, or newer" : ""));
    }
    List<StateFile> files = new ArrayList<>();
    for (JsonNode f : j.path("files")) {
      String name = f.path("name").asText();
      long size = f.path("size").asLong(-1);
      if (!STATE_FILE.matcher(name).matches() || size < 0) {
        throw new SnapshotException(
            "damaged: " + MANIFEST + " lists a file '" + name + "' (" + size + " bytes)");
      }
      files.add(new StateFile(name, size));
    }
    if (files.isEmpty() || !j.path("cluster").isTextual() || !j.path("index").canConvertToLong()) {
      throw new SnapshotException("damaged: " + MANIFEST + " lacks its cluster, index or files");
    }
    Instant taken;
    try {
      taken = Instant.parse(j.path("taken").asText());
    } catch (DateTimeParseException e) {
      throw new SnapshotException("damaged: " + MANIFEST + " has no valid \"taken\" time");
    }
    return new Manifest(
        j.get("cluster").asText(),
        j.path("node").asText(),
        j.path("term").asLong(),
        j.get("index").asLong(),
        taken,
        files);
  }

  private static String name(byte[] h) {
    int end = 0;
    while (end < 100 && h[end] != 0) {
      end++;
    }
    return new String(h, 0, end, StandardCharsets.US_ASCII);
  }

  private static boolean ustar(byte[] h) {
    return new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
  }

  private static long size(byte[] h, Reader r) throws SnapshotException {
    return r.octal(h, 124, 11, "size");
  }

  static String sha256(byte[] bytes) {
    return HEX.formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The archive's bytes, block by block, with the offset for messages. Not thread-safe. */
  private static final class Reader {
    private final InputStream in;
    private long offset;

    Reader(InputStream in) {
      this.in = in;
    }

    /**
     * The first block; null when the input is empty; a short block that is not our manifest's
     * header is returned.
     */
    byte[] first() throws IOException, SnapshotException {
      byte[] h = new byte[BLOCK];
      int n = in.readNBytes(h, 0, BLOCK);
      offset += n;
      if (n == 0) {
        return null;
      }
      if (n < BLOCK
          && new String(h, 0, n, StandardCharsets.ISO_8859_1).startsWith(MANIFEST + "\0")) {
        throw truncated();
      }
      return h;
    }

    /** The next header block, or null at a zero block (the end) or the end of the input. */
    byte[] header() throws IOException, SnapshotException {
      byte[] h = new byte[BLOCK];
      int n = in.readNBytes(h, 0, BLOCK);
      offset += n;
      if (n == 0) {
        return null;
      }
      if (n < BLOCK) {
        throw truncated();
      }
      for (byte b : h) {
        if (b != 0) {
          return h;
        }
      }
      return null;
    }

    /**
     * The header's checksum, and the exact form the node writes: octal fields of digits and a NUL,
     * the checksum as six digits, a NUL and a space, a regular file. So no byte of a header can
     * change unnoticed.
     */
    void checkHeader(byte[] h) throws SnapshotException {
      long stored = octal(h, 148, 6, "checksum");
      long sum = 0;
      for (int i = 0; i < BLOCK; i++) {
        sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
      }
      octal(h, 100, 7, "mode");
      octal(h, 108, 7, "uid");
      octal(h, 116, 7, "gid");
      octal(h, 136, 11, "mtime");
      if (sum != stored || h[155] != ' ' || h[156] != '0') {
        throw new SnapshotException(
            "damaged: the tar header at byte "
                + (offset - BLOCK)
                + " ("
                + name(h)
                + ") fails its checksum or is not a regular file");
      }
    }

    /** The octal number of {@code digits} digits at {@code at}, followed by a NUL. */
    long octal(byte[] h, int at, int digits, String field) throws SnapshotException {
      long v = 0;
      for (int i = at; i < at + digits; i++) {
        if (h[i] < '0' || h[i] > '7') {
          throw bad(field);
        }
        v = v * 8 + (h[i] - '0');
      }
      if (h[at + digits] != 0) {
        throw bad(field);
      }
      return v;
    }

    private SnapshotException bad(String field) {
      return new SnapshotException(
          "damaged: the tar header at byte " + (offset - BLOCK) + " has no valid " + field);
    }

    /** An entry's whole body (small entries), its padding checked. */
    byte[] body(long size) throws IOException, SnapshotException {
      byte[] b = in.readNBytes((int) size);
      offset += b.length;
      if (b.length < size) {
        throw truncated();
      }
      padding(size);
      return b;
    }

    /** Copies an entry's body to {@code out}, checks its padding; returns its SHA-256 in hex. */
    String copy(long size, OutputStream out) throws IOException, SnapshotException {
      MessageDigest d = digest();
      byte[] buf = new byte[64 * 1024];
      long left = size;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw truncated();
        }
        offset += n;
        d.update(buf, 0, n);
        out.write(buf, 0, n);
        left -= n;
      }
      padding(size);
      return HEX.formatHex(d.digest());
    }

    private void padding(long size) throws IOException, SnapshotException {
      int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
      byte[] p = in.readNBytes(pad);
      offset += p.length;
      if (p.length < pad) {
        throw truncated();
      }
      zeros(p, "padding");
    }

    /** After the checksums: the end-of-archive zero blocks and nothing else. */
    void end() throws IOException, SnapshotException {
      byte[] rest = in.readAllBytes();
      if (rest.length < 2 * BLOCK) {
        throw truncated();
      }
      offset += rest.length;
      zeros(rest, "end of the archive");
    }

    private void zeros(byte[] bytes, String where) throws SnapshotException {
      for (byte b : bytes) {
        if (b != 0) {
          throw new SnapshotException(
              "damaged: a byte of the " + where + " before byte " + offset + " is not zero");
        }
      }
    }

    private SnapshotException truncated() {
      return new SnapshotException(
          "truncated after " + offset + " bytes (an incomplete copy or download?)");
    }
  }
}
