package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.runtime.SnapshotCopy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The backup archive of {@code GET /v1/cluster/snapshot}, format version 1: a POSIX (ustar) tar
 * holding, in order,
 *
 * <ol>
 *   <li>{@value #MANIFEST}: {@code
 *       {"format":"quorumdns-snapshot","version":1,"cluster","node","term","index",
 *       "taken","files":[{"name","size"},...]}} and a newline;
 *   <li>{@code state/<file>} for every file of the snapshot's RocksDB checkpoint, in the manifest's
 *       order (a node's {@code <data-dir>/state} directory as it was at that index);
 *   <li>{@value #SUMS}: one line {@code <sha-256 hex> <name>} for the manifest and every file,
 *       which {@code sha256sum -c} checks;
 * </ol>
 *
 * then the two zero blocks that end a tar. Entries are regular files, mode 0600, owner 0, modified
 * at the time the snapshot was taken. The bytes are made while they are sent, the checksums as they
 * go by, so nothing is staged; {@link #length} is known beforehand. A reader refuses a version it
 * does not know.
 *
 * <p>Not thread-safe: one reader (Netty's chunked writer, or a test). {@link #close} releases the
 * snapshot copy.
 */
final class SnapshotArchive implements ChunkedInput<ByteBuf> {
  static final String FORMAT = "quorumdns-snapshot";
  static final int VERSION = 1;
  static final String MANIFEST = "quorumdns-snapshot.json";
  static final String SUMS = "SHA256SUMS";
  static final String STATE = "state/";
  static final int BLOCK = 512;
  private static final int CHUNK = 64 * 1024;
  private static final long MAX_SIZE = 077777777777L;
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,90}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();
  private static final int HEADER = 0;
  private static final int BODY = 1;
  private static final int PADDING = 2;

  /**
   * One entry of the tar: its name, size, and body (bytes, a file, or the checksums once they are
   * known).
   */
  private record Entry(String name, long size, byte[] bytes, Path file) {}

  private final SnapshotCopy copy;
  private final long mtime;
  private final List<Entry> entries = new ArrayList<>();
  private final StringBuilder sums = new StringBuilder();
  private final long length;
  private final MessageDigest digest;
  private int entry;
  private int phase = HEADER;
  private long offset;
  private long progress;
  private boolean ended;
  private FileChannel channel;

  /**
   * Describes the archive of {@code copy}: reads its file sizes; fails on a name a tar entry cannot
   * carry.
   */
  SnapshotArchive(SnapshotCopy copy) throws IOException {
    this.copy = copy;
    this.mtime = copy.taken().getEpochSecond();
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ObjectNode manifest =
        JsonNodeFactory.instance
            .objectNode()
            .put("format", FORMAT)
            .put("version", VERSION)
            .put("cluster", copy.cluster())
            .put("node", copy.nodeId())
            .put("term", copy.term())
            .put("index", copy.index())
            .put("taken", copy.taken().toString());
    ArrayNode files = manifest.putArray("files");
    List<Entry> state = new ArrayList<>();
    for (String name : copy.files()) {
      if (!FILE_NAME.matcher(name).matches()) {
        throw new IOException("snapshot file name '" + name + "' cannot go into the archive");
      }
      Path f = copy.directory().resolve(name);
      long size = Files.size(f);
      if (size > MAX_SIZE) {
        throw new IOException(f + " is larger than a tar entry can hold (" + size + " bytes)");
      }
      files.addObject().put("name", STATE + name).put("size", size);
      state.add(new Entry(STATE + name, size, null, f));
    }
    byte[] m = (JSON.writeValueAsString(manifest) + "\n").getBytes(StandardCharsets.UTF_8);
    entries.add(new Entry(MANIFEST, m.length, m, null));
    entries.addAll(state);
    long sumsSize = 0;
    for (Entry e : entries) {
      sumsSize += 64 + 2 + e.name().length() + 1;
    }
    entries.add(new Entry(SUMS, sumsSize, null, null));
    long total = 2L * BLOCK;
    for (Entry e : entries) {
      total += BLOCK + padded(e.size());
    }
    this.length = total;
  }

  /** The name a download is saved under: {@code quorumdns-<cluster>-<index>.tar}. */
  String fileName() {
    return "quorumdns-" + copy.cluster() + "-" + copy.index() + ".tar";
  }

  SnapshotCopy copy() {
    return copy;
  }

  static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  @Override
  public boolean isEndOfInput() {
    return ended;
  }

  @Override
  @Deprecated
  public ByteBuf readChunk(ChannelHandlerContext ctx) throws IOException {
    return readChunk(ctx.alloc());
  }

  /** The next piece of the archive, or null at its end. */
  @Override
  public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
    byte[] next = next();
    if (next == null) {
      return null;
    }
    progress += next.length;
    return Unpooled.wrappedBuffer(next);
  }

  private byte[] next() throws IOException {
    while (!ended) {
      if (entry == entries.size()) {
        ended = true;
        return new byte[2 * BLOCK];
      }
      Entry e = entries.get(entry);
      switch (phase) {
        case HEADER -> {
          phase = BODY;
          offset = 0;
          return header(e.name(), e.size(), mtime);
        }
        case BODY -> {
          byte[] body = body(e);
          if (body != null) {
            return body;
          }
          phase = PADDING;
        }
        default -> {
          if (!e.name().equals(SUMS)) {
            sums.append(HEX.formatHex(digest.digest())).append("  ").append(e.name()).append('\n');
          }
          digest.reset();
          entry++;
          phase = HEADER;
          int pad = (int) (padded(e.size()) - e.size());
          if (pad > 0) {
            return new byte[pad];
          }
        }
      }
    }
    return null;
  }

  /** The next piece of an entry's body, or null once it is all out. */
  private byte[] body(Entry e) throws IOException {
    if (offset == e.size()) {
      return null;
    }
    byte[] out;
    if (e.file() == null) {
      out = e.bytes() != null ? e.bytes() : sums.toString().getBytes(StandardCharsets.US_ASCII);
      if (out.length != e.size()) {
        throw new IllegalStateException(
            e.name() + ": " + out.length + " bytes, announced " + e.size());
      }
    } else {
      if (channel == null) {
        channel = FileChannel.open(e.file());
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, e.size() - offset));
      while (buf.hasRemaining()) {
        if (channel.read(buf) < 0) {
          throw new EOFException(
              e.file() + " ended at " + (offset + buf.position()) + " of " + e.size() + " bytes");
        }
      }
      out = buf.array();
    }
    offset += out.length;
    if (offset == e.size() && channel != null) {
      channel.close();
      channel = null;
    }
    digest.update(out);
    return out;
  }

  /** A ustar header block: a regular file, mode 0600, owner and group 0. */
  static byte[] header(String name, long size, long mtime) {
    byte[] h = new byte[BLOCK];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, h, 0, n.length);
    octal(h, 100, 8, 0600);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, mtime);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    h[156] = '0';
    System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    return h;
  }

  /** {@code value} as {@code len - 1} octal digits and a NUL. */
  private static void octal(byte[] h, int at, int len, long value) {
    String s = Long.toOctalString(value);
    s = "0".repeat(len - 1 - s.length()) + s;
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, at, len - 1);
    h[at + len - 1] = 0;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public long progress() {
    return progress;
  }

  /** Closes the file being read and releases the snapshot copy. */
  @Override
  public void close() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // the copy is deleted next; nothing else holds the file
    } finally {
      channel = null;
      copy.close();
    }
  }
}
