package dev.quorumdns.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The node image, made here because nothing can be pulled: a near-empty root filesystem, built
 * {@code FROM scratch} with {@code ADD rootfs.tar /} (the build API; the import API's body is cut
 * short by the Testcontainers-shaded docker-java transport). Everything executable — the JDK, sh,
 * iptables and their libraries — comes from the host's {@code /usr}, bind-mounted read-only by
 * {@link ChaosNode}. {@code /bin}, {@code /lib}, {@code /lib64} are symlinks into {@code /usr}
 * (merged-usr hosts); {@code /sbin} is a real directory so Docker can mount its {@code docker-init}
 * there. Idempotent; thread-safe through the daemon.
 */
public final class NodeImage {
  /** Bump when the root filesystem changes. */
  public static final String NAME = "quorumdns-chaos-node";

  public static final String TAG = "rootfs-1";

  private NodeImage() {}

  public static String reference() {
    return NAME + ":" + TAG;
  }

  /** Imports the image unless the daemon already has it; returns its reference. */
  public static String ensure(DockerClient docker) {
    boolean present = !docker.listImagesCmd().withImageNameFilter(reference()).exec().isEmpty();
    if (!present) {
      docker
          .buildImageCmd(new ByteArrayInputStream(context()))
          .withTags(Set.of(reference()))
          .withPull(false)
          .exec(new BuildImageResultCallback())
          .awaitImageId();
    }
    return reference();
  }

  /** The build context: a Dockerfile and the root filesystem tar it unpacks. */
  static byte[] context() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      file(tar, "Dockerfile", "FROM scratch\nADD rootfs.tar /\nCMD [\"/bin/sh\"]\n");
      byte[] rootfs = rootfs();
      TarArchiveEntry e = new TarArchiveEntry("rootfs.tar");
      e.setSize(rootfs.length);
      e.setMode(0644);
      tar.putArchiveEntry(e);
      tar.write(rootfs);
      tar.closeArchiveEntry();
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the image context", e);
    }
    return bytes.toByteArray();
  }

  static byte[] rootfs() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (String dir :
          new String[] {
            "usr", "etc", "tmp", "data", "proc", "sys", "dev", "run", "opt", "sbin", "root", "var",
            "var/tmp"
          }) {
        TarArchiveEntry e = new TarArchiveEntry(dir + "/");
        e.setMode(dir.endsWith("tmp") ? 01777 : 0755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      }
      for (String[] link :
          new String[][] {{"bin", "usr/bin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}}) {
        TarArchiveEntry e = new TarArchiveEntry(link[0], TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(link[1]);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      }
      file(
          tar,
          "etc/passwd",
          "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
      file(tar, "etc/group", "root:x:0:\nnogroup:x:65534:\n");
      file(tar, "etc/nsswitch.conf", "hosts: files dns\n");
      tar.finish();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the node rootfs", e);
    }
    return bytes.toByteArray();
  }

  private static void file(TarArchiveOutputStream tar, String path, String content)
      throws IOException {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(path);
    e.setSize(data.length);
    e.setMode(0644);
    tar.putArchiveEntry(e);
    tar.write(data);
    tar.closeArchiveEntry();
  }
}
