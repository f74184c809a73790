package dev.quorumdns.node.api;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link SnapshotArchive} as the chunked body of a download, as fast as the client takes it
 * (Netty writes the next piece only while the connection can take more), then closes the
 * connection; the snapshot copy is released when the archive is closed, at the end or when the
 * connection breaks. Called on the connection's event loop.
 */
final class SnapshotStream implements StreamBody {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);
  private final SnapshotArchive archive;

  SnapshotStream(SnapshotArchive archive) {
    this.archive = archive;
  }

  @Override
  public void start(Channel channel) {
    // A download reads nothing from its client for as long as it takes: the idle timeout no longer
    // applies.
    if (channel.pipeline().get(ReadTimeoutHandler.class) != null) {
      channel.pipeline().remove(ReadTimeoutHandler.class);
    }
    channel.pipeline().addLast(new ChunkedWriteHandler());
    channel
        .writeAndFlush(new HttpChunkedInput(archive))
        .addListener(
            f -> {
              if (f.isSuccess()) {
                LOG.info(
                    "snapshot {} ({} bytes) sent to {}",
                    archive.copy().index(),
                    archive.length(),
                    channel.remoteAddress());
              } else {
                LOG.warn(
                    "snapshot {} download by {} broke off after {} of {} bytes: {}",
                    archive.copy().index(),
                    channel.remoteAddress(),
                    archive.progress(),
                    archive.length(),
                    f.cause().toString());
              }
              archive.close();
              channel.close();
            });
  }

  @Override
  public void abandon() {
    archive.close();
  }
}
