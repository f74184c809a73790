package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client of one watch stream over a plain socket, so a test decides when (and
 * whether) it reads: sends the request, reads the head, then decodes chunks into lines. Not
 * thread-safe.
 */
final class WatchStream implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Socket socket;
  private final InputStream in;
  private final int status;
  private final Map<String, String> headers = new HashMap<>();
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final boolean chunked;
  private boolean ended;

  /**
   * Opens {@code GET target}; with {@code receiveBuffer} > 0, the socket's receive buffer is that
   * small.
   */
  WatchStream(InetSocketAddress server, String target, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(server, 5000);
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    in = socket.getInputStream();
    String statusLine = line();
    status = Integer.parseInt(statusLine.split(" ")[1]);
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    if (!chunked) {
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      pending.write(in.readNBytes(length));
      ended = true;
    }
  }

  WatchStream(InetSocketAddress server, String target) throws IOException {
    this(server, target, 0);
  }

  int status() {
    return status;
  }

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The whole body of a complete (not streamed) answer, as JSON. */
  JsonNode body() throws IOException {
    return JSON.readTree(pending.toByteArray());
  }

  /**
   * The next line as JSON, waiting at most {@code timeout}; null when the stream ended.
   *
   * @throws SocketTimeoutException if no whole line arrived in time
   */
  JsonNode next(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    while (true) {
      byte[] b = pending.toByteArray();
      for (int i = 0; i < b.length; i++) {
        if (b[i] == '\n') {
          pending.reset();
          pending.write(b, i + 1, b.length - i - 1);
          return JSON.readTree(new String(b, 0, i, StandardCharsets.UTF_8));
        }
      }
      if (ended) {
        return null;
      }
      readChunk();
    }
  }

  /** The next line that is not a progress line. */
  JsonNode nextChange(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode n = next(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      if (n == null || !"progress".equals(n.path("type").asText())) {
        return n;
      }
    }
  }

  private void readChunk() throws IOException {
    String size = line();
    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
    if (n == 0) {
      line();
      ended = true;
      return;
    }
    pending.write(in.readNBytes(n));
    line();
  }

  /** One CRLF-terminated line of the head or chunk framing; a closed connection ends the stream. */
  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        ended = true;
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
