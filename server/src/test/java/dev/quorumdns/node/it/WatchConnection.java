package dev.quorumdns.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One {@code GET /v1/watch} over a plain socket, decoded line by line from its chunks; the test
 * decides when, and whether, to read. A complete (error) answer's body is read whole. Not
 * thread-safe.
 */
final class WatchConnection implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Socket socket;
  private final InputStream in;
  private final int status;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private boolean ended;

  /**
   * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the default (small: a
   *     client that reads slowly)
   */
  WatchConnection(String host, String target, Duration readTimeout, int receiveBuffer)
      throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(host, 8053), 2000);
    socket.setSoTimeout((int) readTimeout.toMillis());
    socket
        .getOutputStream()
        .write(
            ("GET " + target + " HTTP/1.1\r\nHost: quorumdns\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    in = socket.getInputStream();
    status = Integer.parseInt(line().split(" ")[1]);
    boolean chunked = false;
    int length = 0;
    for (String h = line(); !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(Locale.ROOT);
      chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(lower.substring(15).trim());
      }
    }
    if (!chunked) {
      pending.write(in.readNBytes(length));
      ended = true;
    }
  }

  WatchConnection(String host, String target, Duration readTimeout) throws IOException {
    this(host, target, readTimeout, 0);
  }

  int status() {
    return status;
  }

  /** A complete answer's body. */
  JsonNode body() throws IOException {
    return JSON.readTree(pending.toByteArray());
  }

  /**
   * The next line, or null once the stream ended; throws on a read timeout or a broken connection.
   */
  JsonNode next() throws IOException {
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
      int n = Integer.parseInt(line().split(";")[0].trim(), 16);
      if (n == 0) {
        line();
        ended = true;
      } else {
        pending.write(in.readNBytes(n));
        line();
      }
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("connection closed");
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
      // closing anyway
    }
  }
}
