package dev.quorumdns.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Ratis' JMX timer names become a metric tag without the group id, and a member tag. */
class RatisTimersTest {
  @Test
  void theGroupIdLeavesTheNameAndTheMemberBecomesATag() {
    String name = "ratis.log_worker.n1@group-9538A54EC56A.flushTime";
    assertEquals("log_worker.flushTime", RatisTimers.metricName(name));
    assertEquals("n1", RatisTimers.member(name));
  }

  @Test
  void quotedNamesAndNamesWithoutAMemberAreRead() {
    assertEquals(
        "server.clientWriteRequest",
        RatisTimers.metricName("\"ratis.server.n2@group-ABC.clientWriteRequest\""));
    assertEquals("n2", RatisTimers.member("\"ratis.server.n2@group-ABC.clientWriteRequest\""));
    assertEquals(
        "log_appender.num_requests",
        RatisTimers.metricName("ratis_grpc.log_appender.num_requests"));
    assertEquals("", RatisTimers.member("ratis_grpc.log_appender.num_requests"));
  }
}
