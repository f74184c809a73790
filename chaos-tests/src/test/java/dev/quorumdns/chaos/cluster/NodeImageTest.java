package dev.quorumdns.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NodeImageTest {
  @Test
  void rootfsHasMountPointsMergedUsrLinksAndARealSbin() throws IOException {
    byte[] rootfs = NodeImage.rootfs();
    Map<String, TarArchiveEntry> entries = new HashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(rootfs))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.put(e.getName(), e);
      }
    }
    assertTrue(entries.get("usr/").isDirectory());
    assertTrue(entries.get("sbin/").isDirectory(), "docker-init is mounted at /sbin/docker-init");
    assertEquals("usr/bin", entries.get("bin").getLinkName());
    assertEquals(01777, entries.get("tmp/").getMode() & 07777);
    assertTrue(entries.containsKey("etc/passwd"));
    Path dump = Path.of(System.getProperty("java.io.tmpdir"), "quorumdns-rootfs-test.tar");
    Files.write(dump, rootfs);
  }
}
