package dev.quorumdns.node.api.watch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One watch stream: where it is in the revision sequence and how it gets the rest. It takes a
 * {@link Delivery} that starts at or before its position and skips what it already has; one that
 * starts after its position is a gap, which it fills by reading pages of the change log ({@link
 * WatchHub#catchUp}) until it has reached what the hub has delivered. So every change reaches it
 * once, in revision order, whichever path brought it.
 *
 * <p>Confined to its channel's event loop: every method runs there.
 */
final class Watcher {
  /** How long a dropped stream may take to drain its last line before it is closed anyway. */
  private static final long DRAIN_SECONDS = 30;

  private final WatchHub hub;
  final Channel channel;
  final String namespace;
  private final WatchHub.Ticket ticket;
  private final long bufferBytes;
  private long position;
  private boolean catchingUp;
  private boolean awaitingWritable;
  private boolean closed;
  private long lastWriteNanos;

  /** This watcher's slot in its loop's list (for removal in constant time); -1 when not listed. */
  int slot = -1;

  Watcher(
      WatchHub hub,
      Channel channel,
      String namespace,
      long from,
      WatchHub.Ticket ticket,
      long bufferBytes) {
    this.hub = hub;
    this.channel = channel;
    this.namespace = namespace;
    this.position = from;
    this.ticket = ticket;
    this.bufferBytes = bufferBytes;
    this.lastWriteNanos = System.nanoTime();
  }

  long position() {
    return position;
  }

  boolean closed() {
    return closed;
  }

  /**
   * Catches up if the hub has moved past this watcher's position: when its loop lists it, and again
   * when the hub moved without a delivery while this stream was being admitted.
   */
  void started() {
    if (position < hub.dispatched()) {
      requestCatchUp();
    }
  }

  /**
   * Takes a delivery the hub sent every watcher of this loop; {@code shared} holds this delivery's
   * payloads as buffers shared by the loop's watchers (keyed by namespace, "" for all).
   */
  void offer(Delivery d, Map<String, ByteBuf> shared) {
    if (closed || position >= d.through) {
      return;
    }
    if (position < d.after) {
      requestCatchUp();
      return;
    }
    if (tooSlow()) {
      return;
    }
    if (position == d.after) {
      ByteBuf b =
          shared.computeIfAbsent(
              namespace == null ? "" : namespace,
              ns -> Unpooled.directBuffer().writeBytes(d.payload(namespace, d.after)));
      if (b.isReadable()) {
        write(b.retainedDuplicate());
      }
    } else {
      byte[] mine = d.payload(namespace, position);
      if (mine.length > 0) {
        write(Unpooled.wrappedBuffer(mine));
      }
    }
    position = d.through;
  }

  /** A page of the change log read for this watcher arrived. */
  void caughtUp(Delivery d) {
    catchingUp = false;
    if (closed) {
      return;
    }
    if (position >= d.after) {
      byte[] mine = d.payload(namespace, position);
      if (mine.length > 0 && position < d.through) {
        write(Unpooled.wrappedBuffer(mine));
      }
      position = Math.max(position, d.through);
    }
    if (position < hub.dispatched()) {
      requestCatchUp();
    }
  }

  /**
   * The change log no longer reaches back to this watcher's position: the client must list again.
   */
  void gone(long oldest) {
    catchingUp = false;
    drop(
        "gone",
        "changes after revision "
            + position
            + " are no longer kept (the oldest this node can resume "
            + "from is "
            + oldest
            + "); list the services again and watch from the list's revision",
        oldest);
  }

  /** Writes a progress line if nothing was written for {@code intervalNanos}. */
  void progress(long nowNanos, long intervalNanos) {
    if (closed
        || catchingUp
        || nowNanos - lastWriteNanos < intervalNanos
        || !channel.isWritable()) {
      return;
    }
    write(Unpooled.wrappedBuffer(ChangeLines.progress(position)));
  }

  void writabilityChanged() {
    if (awaitingWritable && channel.isWritable() && !closed) {
      awaitingWritable = false;
      hub.catchUp(this, position);
    }
  }

  private void requestCatchUp() {
    if (catchingUp || closed) {
      return;
    }
    catchingUp = true;
    if (channel.isWritable()) {
      hub.catchUp(this, position);
    } else {
      awaitingWritable = true;
    }
  }

  /** Drops the stream if its client has left more than the buffer unread. */
  private boolean tooSlow() {
    if (channel.isWritable()) {
      return false;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    long pending = out == null ? 0 : out.totalPendingWriteBytes();
    if (pending <= bufferBytes) {
      return false;
    }
    hub.droppedTooSlow();
    drop(
        "too_slow",
        "this stream had "
            + pending
            + " bytes unread (watch-buffer is "
            + bufferBytes
            + "); resume with from="
            + position,
        null);
    return true;
  }

  private void write(ByteBuf b) {
    lastWriteNanos = System.nanoTime();
    channel.writeAndFlush(b, channel.voidPromise());
  }

  /**
   * Ends the stream with a last line saying why; the connection closes once it is sent (or after a
   * while).
   */
  void drop(String error, String message, Long oldest) {
    if (closed) {
      return;
    }
    closed = true;
    hub.forget(this);
    ByteBuf last = Unpooled.wrappedBuffer(ChangeLines.dropped(position, error, message, oldest));
    channel.write(last, channel.voidPromise());
    channel
        .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(ChannelFutureListener.CLOSE);
    channel
        .eventLoop()
        .schedule(
            () -> {
              channel.close();
            },
            DRAIN_SECONDS,
            TimeUnit.SECONDS);
  }

  /** The connection closed. */
  void connectionClosed() {
    closed = true;
    hub.forget(this);
  }

  /** Gives back the stream's place under the limits; idempotent. */
  void release() {
    ticket.release();
  }
}
