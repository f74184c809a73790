package dev.quorumdns.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Runs a TLS handshake between two {@link SSLEngine}s in memory (no sockets), then one message each
 * way, so a certificate refused after the handshake (TLS 1.3 reports client certificates late)
 * fails it too.
 */
final class InMemoryHandshake {
  private static final int MAX_STEPS = 200;

  private InMemoryHandshake() {}

  /**
   * Completes the handshake and echoes a message both ways; throws the engine's exception when
   * refused.
   */
  static void run(SSLEngine client, SSLEngine server) throws SSLException {
    client.setUseClientMode(true);
    server.setUseClientMode(false);
    ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
    ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < MAX_STEPS && (handshaking(client) || handshaking(server)); i++) {
      step(client, toClient, toServer);
      step(server, toServer, toClient);
    }
    if (handshaking(client) || handshaking(server)) {
      throw new SSLException("the handshake did not finish in " + MAX_STEPS + " steps");
    }
    exchange(client, server, toServer, "ping");
    exchange(server, client, toClient, "pong");
  }

  private static boolean handshaking(SSLEngine e) {
    HandshakeStatus s = e.getHandshakeStatus();
    return s != HandshakeStatus.NOT_HANDSHAKING && s != HandshakeStatus.FINISHED;
  }

  private static void step(SSLEngine e, ByteBuffer in, ByteBuffer out) throws SSLException {
    ByteBuffer app = ByteBuffer.allocate(1 << 17);
    for (int i = 0; i < 10; i++) {
      switch (e.getHandshakeStatus()) {
        case NEED_TASK -> {
          for (Runnable r = e.getDelegatedTask(); r != null; r = e.getDelegatedTask()) {
            r.run();
          }
        }
        case NEED_WRAP -> e.wrap(ByteBuffer.allocate(0), out);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          in.flip();
          int before = in.remaining();
          e.unwrap(in, app);
          boolean consumed = in.remaining() < before;
          in.compact();
          if (!consumed && e.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
            return; // waits for the peer
          }
        }
        default -> {
          return;
        }
      }
    }
  }

  private static void exchange(SSLEngine from, SSLEngine to, ByteBuffer wire, String text)
      throws SSLException {
    from.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)), wire);
    ByteBuffer app = ByteBuffer.allocate(1 << 17);
    wire.flip();
    while (wire.hasRemaining()) {
      int before = wire.remaining();
      to.unwrap(wire, app);
      if (to.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
        for (Runnable r = to.getDelegatedTask(); r != null; r = to.getDelegatedTask()) {
          r.run();
        }
      }
      if (wire.remaining() == before) {
        break;
      }
    }
    wire.compact();
    app.flip();
    String got = StandardCharsets.US_ASCII.decode(app).toString();
    if (!got.contains(text)) {
      throw new SSLException("expected '" + text + "' through the session, got '" + got + "'");
    }
  }
}
