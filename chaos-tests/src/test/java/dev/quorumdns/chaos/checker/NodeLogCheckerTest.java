package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeLogCheckerTest {
  private static final String T = "2026-12-05T21:00:00.123Z ";

  private static final NodeLogChecker CHECKER =
      new NodeLogChecker(
          NodeLogChecker.parse(
              "# test list\n"
                  + "Connection refused ## a killed peer refuses connections\n"
                  + "\n"));

  @Test
  void quietLogsAreValidAndCounted() {
    String log =
        T
            + "INFO  [n1] ServerMain: started\n"
            + T
            + "WARN  [n1] RaftServerImpl: n1 changes role to CANDIDATE\n";
    CheckResult result = CHECKER.check(Map.of("n1", log));
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
    assertTrue(result.judged() > 0);
  }

  @Test
  void anErrorLineNotOnTheListFailsAndAnAllowedOneDoesNot() {
    String log =
        T
            + "WARN  [n1] GrpcLogAppender: n1->n2 failed\n"
            + "java.net.ConnectException: Connection refused\n"
            + "\tat io.grpc.Foo.bar(Foo.java:1)\n"
            + T
            + "ERROR [n1] Registry: apply failed at index 12\n"
            + "java.lang.IllegalStateException: corrupt entry\n"
            + "\tat dev.quorumdns.X.y(X.java:3)\n"
            + "Caused by: java.io.IOException: checksum\n"
            + "\t... 4 more\n"
            + T
            + "INFO  [n1] ServerMain: still here\n";
    CheckResult result = CHECKER.check(Map.of("n1", log));
    assertEquals(Validity.INVALID, result.validity());
    assertEquals(1, result.anomalyCount(), () -> result.anomalies().toString());
    String message = result.anomalies().get(0).message();
    assertTrue(message.contains("line 4") && message.contains("corrupt entry"), message);
    assertEquals(Map.of("Connection refused", 1L), result.stats().get("allowedHits"));
  }

  @Test
  void theShippedListAllowsRatisConfigurationRenameRaceOnlyAndNoOtherWriteFailure() {
    String dir = "/data/n3/raft/4cca5c8a-a6de-30eb-9d6f-9538a54ec56a/current/";
    String race =
        T
            + "ERROR [n3] RaftStorage: Failed writing configuration to file:"
            + dir
            + "raft-meta.conf\n"
            + "java.nio.file.NoSuchFileException: "
            + dir
            + "raft-meta.conf.tmp -> "
            + dir
            + "raft-meta.conf\n"
            + "\tat java.base/sun.nio.fs.UnixException.translateToIOException(Unknown Source)\n";
    NodeLogChecker shipped = NodeLogChecker.standard();
    CheckResult ok = shipped.check(Map.of("n3", race));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    String otherFailure =
        T
            + "ERROR [n3] RaftStorage: Failed writing configuration to file:"
            + dir
            + "raft-meta.conf\n"
            + "java.nio.file.AccessDeniedException: "
            + dir
            + "raft-meta.conf.tmp\n";
    CheckResult bad = shipped.check(Map.of("n3", otherFailure));
    assertEquals(Validity.INVALID, bad.validity());
  }

  /** CI run short-4473391, n2: a closed Ratis client; a proxy failing otherwise stays a problem. */
  @Test
  void theShippedListAllowsAClosedClientsProxyOnlyWhenItIsClosed() {
    String closed =
        T
            + "WARN  [n2] LifeCycle: n3|172.19.0.2:9053: Failed to start (state=STARTING)\n"
            + "org.apache.ratis.protocol.exceptions.AlreadyClosedException: client-08D1B970BC74:"
            + " Failed to create proxy for n3|172.19.0.2:9053\n"
            + "\tat org.apache.ratis.util.PeerProxyMap.createProxyImpl(PeerProxyMap.java:113)\n";
    CheckResult ok = NodeLogChecker.standard().check(Map.of("n2", closed));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    String refused =
        T
            + "WARN  [n2] LifeCycle: n3|172.19.0.2:9053: Failed to start (state=STARTING)\n"
            + "java.io.IOException: cannot load the trust store\n";
    assertEquals(
        Validity.INVALID, NodeLogChecker.standard().check(Map.of("n2", refused)).validity());
  }

  /** Extended run 2024120701: a removed member asked for its group while it stopped. */
  @Test
  void theShippedListAllowsGroupInfoOnAClosedLogOnlyOnAMemberUnderAMembershipFault() {
    String log =
        T
            + "WARN  [n3] GrpcAdminProtocolService: Failed to groupInfo: GroupInfoRequest:client-922AD52C3C75->n3@group-9538A54EC56A,"
            + " cid=71, seq=null, RO, null\n"
            + "java.util.concurrent.CompletionException: java.lang.IllegalStateException:"
            + " n3@group-9538A54EC56A-SegmentedRaftLog is expected to be opened but it is CLOSED\n";
    long at = Instant.parse(T.strip()).toEpochMilli();
    var removal =
        new NodeLogChecker.FaultWindow("member-change-partition", at - 3_000, at + 50_000);
    NodeLogChecker shipped = NodeLogChecker.standard();
    CheckResult ok = shipped.check(Map.of("n3", log), Map.of("n3", List.of(removal)));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    var kill = new NodeLogChecker.FaultWindow("kill-random", at - 3_000, at + 5_000);
    assertFalse(shipped.check(Map.of("n3", log), Map.of("n3", List.of(kill))).isValid());
  }

  /** CI rehearsal short-8922547: appends to a node whose Raft log failed on a full disk. */
  @Test
  void theShippedListAllowsAFailedLogsLaterTasksOnlyOnANodeWhoseDiskFilled() {
    String log =
        T
            + "WARN  [n1] RaftServer$Division: n1@group-9538A54EC56A: appendEntries* failed: 98"
            + " entries=(t:64, i:23398)...(t:64, i:23495)\n"
            + "java.util.concurrent.CompletionException:"
            + " org.apache.ratis.server.raftlog.RaftLogIOException: Log already failed at index"
            + " 23397 for task StartLogSegment:23397\n";
    long at = Instant.parse(T.strip()).toEpochMilli();
    var full = new NodeLogChecker.FaultWindow("disk-full", at - 5_000, at + 8_000);
    NodeLogChecker shipped = NodeLogChecker.standard();
    CheckResult ok = shipped.check(Map.of("n1", log), Map.of("n1", List.of(full)));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    var corrupt = new NodeLogChecker.FaultWindow("disk-corrupt", at - 5_000, at + 8_000);
    assertFalse(shipped.check(Map.of("n1", log), Map.of("n1", List.of(corrupt))).isValid());
    assertFalse(shipped.check(Map.of("n1", log)).isValid());
  }

  /**
   * Landing rehearsal short-5309617, n2: an applied entry's store write failed on the full disk. A
   * replica that cannot decode an entry (corruption, not the disk) still fails the run.
   */
  @Test
  void theShippedListAllowsAStoreWriteFailureInApplyOnlyOnANodeWhoseDiskFilled() {
    String apply =
        T
            + "ERROR [n2] StateMachineUpdater: n2@group-9538A54EC56A-StateMachineUpdater caught a"
            + " Throwable.\n"
            + "org.apache.ratis.server.raftlog.RaftLogIOException: java.io.UncheckedIOException:"
            + " cannot apply (t:57, i:36518) (RocksDBException: While appending to file:"
            + " /data/n2/state/000153.log: No space left on device); stopping this replica\n"
            + T
            + "ERROR [n2] Node: this node's storage failed (an entry could not be applied: (t:57,"
            + " i:36518) (RocksDBException: Writer has previous error)): it takes no part in the"
            + " cluster until it restarts.\n";
    long at = Instant.parse(T.strip()).toEpochMilli();
    var full = new NodeLogChecker.FaultWindow("disk-full", at - 5_000, at + 8_000);
    NodeLogChecker shipped = NodeLogChecker.standard();
    CheckResult ok = shipped.check(Map.of("n2", apply), Map.of("n2", List.of(full)));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    assertFalse(shipped.check(Map.of("n2", apply)).isValid(), "not without a full disk");
    String closedLog =
        T
            + "WARN  [n1] RaftServer$Division: n1@group-9538A54EC56A: appendEntries* failed: 2"
            + " entries=(t:53, i:38692)...(t:53, i:38693)\n"
            + "java.util.concurrent.CompletionException: java.lang.IllegalStateException:"
            + " n1@group-9538A54EC56A-SegmentedRaftLog is expected to be opened but it is CLOSED\n";
    CheckResult closedOk = shipped.check(Map.of("n1", closedLog), Map.of("n1", List.of(full)));
    assertEquals(Validity.VALID, closedOk.validity(), () -> closedOk.anomalies().toString());
    assertFalse(
        shipped.check(Map.of("n1", closedLog)).isValid(), "a closed log without a full disk");
    String corrupt =
        T
            + "ERROR [n2] StateMachineUpdater: n2@group-9538A54EC56A-StateMachineUpdater caught a"
            + " Throwable.\n"
            + "org.apache.ratis.server.raftlog.RaftLogIOException: java.io.UncheckedIOException:"
            + " cannot apply (t:57, i:36518) (IOException: entry of unknown kind 9); stopping this"
            + " replica\n";
    assertFalse(
        shipped.check(Map.of("n2", corrupt), Map.of("n2", List.of(full))).isValid(),
        "an entry that cannot be decoded is no disk's fault");
  }

  /** CI run short-8163053, n2: a log appender still running while its leader steps down. */
  @Test
  void theShippedListAllowsAnAppendersTermAssertionAtStepDownOnlyAndNoOtherAppenderFailure() {
    String stepDown =
        T
            + "WARN  [n2] LogAppenderDaemon: n2@group-9538A54EC56A->n1--LogAppenderDaemon failed\n"
            + "java.lang.IllegalStateException: currentTerm: expected == 59 but computed == 60\n"
            + "\tat org.apache.ratis.util.Preconditions.assertSame(Preconditions.java:83)\n";
    NodeLogChecker shipped = NodeLogChecker.standard();
    CheckResult ok = shipped.check(Map.of("n2", stepDown));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    String otherFailure =
        T
            + "WARN  [n2] LogAppenderDaemon: n2@group-9538A54EC56A->n1--LogAppenderDaemon failed\n"
            + "java.lang.IllegalStateException: nextIndex: expected == 59 but computed == 60 (log"
            + " gap)\n";
    assertFalse(shipped.check(Map.of("n2", otherFailure)).isValid());
  }

  /**
   * CI rehearsal short-2973575: n1's disk filled 1.7 s after its clock strobe was healed, and its
   * line about it carried its clock, still 46 s behind.
   */
  @Test
  void aScopedEntryAllowsALineWhoseTimeIsTheNodesSkewedClockOnlyAroundAClockFault() {
    String log =
        T
            + "ERROR [n1] AuditLog: audit-log /data/n1/audit.log cannot be written"
            + " (java.io.IOException: No space left on device); audit lines are being lost\n";
    long lineTime = Instant.parse(T.strip()).toEpochMilli();
    long diskFrom = lineTime + 46_000;
    var full = new NodeLogChecker.FaultWindow("disk-full", diskFrom, diskFrom + 21_000);
    var strobe = new NodeLogChecker.FaultWindow("clock-strobe", diskFrom - 5_000, diskFrom - 1_700);
    NodeLogChecker shipped = NodeLogChecker.standard();
    CheckResult ok = shipped.check(Map.of("n1", log), Map.of("n1", List.of(strobe, full)));
    assertEquals(Validity.VALID, ok.validity(), () -> ok.anomalies().toString());
    assertFalse(
        shipped.check(Map.of("n1", log), Map.of("n1", List.of(full))).isValid(),
        "no clock fault: the line's time is trusted and outside the window");
    var longBefore =
        new NodeLogChecker.FaultWindow("clock-strobe", diskFrom - 60_000, diskFrom - 40_000);
    assertFalse(
        shipped.check(Map.of("n1", log), Map.of("n1", List.of(longBefore, full))).isValid(),
        "a clock fault healed long before the disk filled widens nothing");
  }

  @Test
  void theShippedListAllowsRatisGroupInfoDuringARoleChange() {
    String log =
        T
            + "WARN  [n1] GrpcAdminProtocolService: Failed to groupInfo: GroupInfoRequest:client-58DA9FCC3251->n1@group-9538A54EC56A,"
            + " cid=510, seq=null, RO, null\n"
            + "java.util.concurrent.CompletionException: java.lang.IllegalStateException: Found"
            + " duplicated element n2|172.20.0.3:9053 in [n1|172.20.0.2:9053, n2|172.20.0.3:9053,"
            + " n2|172.20.0.3:9053]\n"
            + "\tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(Unknown Source)\n";
    CheckResult result = NodeLogChecker.standard().check(Map.of("n1", log));
    assertEquals(Validity.VALID, result.validity(), () -> result.anomalies().toString());
  }

  @Test
  void aStackTraceOutsideAnyLogLineFails() {
    String log =
        T
            + "INFO  [n2] ServerMain: started\n"
            + "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
            + "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n";
    CheckResult result = CHECKER.check(Map.of("n2", log));
    assertEquals(Validity.INVALID, result.validity());
    assertTrue(result.anomalies().get(0).message().contains("OutOfMemoryError"));
  }

  @Test
  void aWarnWithoutExceptionIsNotAProblemButAnEmptyScanIsVacuous() {
    assertEquals(
        List.of(), NodeLogChecker.problems("n1", T + "WARN  [n1] X: slow disk, 2 s fsync\n"));
    CheckResult none = CHECKER.check(Map.of()).unlessVacuous();
    assertFalse(none.isValid(), "no log scanned proves nothing");
  }

  @Test
  void aScopedEntryAllowsItsLineOnlyOnANodeUnderThatFault() {
    NodeLogChecker checker =
        new NodeLogChecker(
            NodeLogChecker.parse(
                "during disk-full,disk-corrupt: No space left on device ## the disk is full\n"));
    assertEquals(
        Set.of("disk-full", "disk-corrupt"), checker.allowed().get(0).during(), "scope parsed");
    String line =
        T
            + "ERROR [n3] AuditLog: audit.log cannot be written (IOException: No space left on device)\n";
    long at = Instant.parse(T.strip()).toEpochMilli();
    var full = new NodeLogChecker.FaultWindow("disk-full", at - 5_000, at - 1_000);
    assertTrue(checker.check(Map.of("n3", line), Map.of("n3", List.of(full))).isValid());
    var healedLongAgo =
        new NodeLogChecker.FaultWindow(
            "disk-full", at - 100_000, at - NodeLogChecker.SCOPE_GRACE_MILLIS - 1);
    var kill = new NodeLogChecker.FaultWindow("kill-random", at - 5_000, at + 5_000);
    for (Map<String, List<NodeLogChecker.FaultWindow>> faults :
        List.of(
            Map.<String, List<NodeLogChecker.FaultWindow>>of(),
            Map.of("n1", List.of(full)),
            Map.of("n3", List.of(healedLongAgo)),
            Map.of("n3", List.of(kill)))) {
      assertFalse(checker.check(Map.of("n3", line), faults).isValid(), faults.toString());
    }
  }

  @Test
  void everyEntryNeedsAReasonAndTheSuitesListParses() {
    assertThrows(
        IllegalArgumentException.class, () -> NodeLogChecker.parse("Connection refused\n"));
    assertThrows(
        IllegalArgumentException.class, () -> NodeLogChecker.parse("Connection refused ##  \n"));
    NodeLogChecker.standard();
  }
}
