package dev.quorumdns.chaos.workload;

import dev.quorumdns.chaos.client.DnsApi;
import dev.quorumdns.chaos.client.Outcome;
import dev.quorumdns.chaos.history.HistoryRecorder;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import java.util.Random;

/**
 * The resolvers' mix of query types: A (70 %), AAAA (20 %), and A or AAAA followed by a PTR query
 * for the address it answered (10 %). Every query is recorded. Stateless.
 */
final class DnsFamilies {
  private DnsFamilies() {}

  static void query(
      Workload workload,
      DnsApi dns,
      HistoryRecorder recorder,
      int process,
      String node,
      String name,
      Random random) {
    double roll = random.nextDouble();
    if (roll < 0.7) {
      workload.resolve(process, node, name);
    } else if (roll < 0.9) {
      aaaa(workload, dns, recorder, process, node, name);
    } else if (roll < 0.95) {
      Outcome a = workload.resolve(process, node, name);
      if (a.type() == OpType.OK && a.vip() != null) {
        ptr(workload, dns, recorder, process, node, a.vip());
      }
    } else {
      Outcome a = aaaa(workload, dns, recorder, process, node, name);
      if (a.type() == OpType.OK && a.vip6() != null) {
        ptr(workload, dns, recorder, process, node, a.vip6());
      }
    }
  }

  private static Outcome aaaa(
      Workload workload,
      DnsApi dns,
      HistoryRecorder recorder,
      int process,
      String node,
      String name) {
    Op invoke = recorder.invoke(Op.invoke(process, OpKind.RESOLVE_AAAA, node, name, null));
    Outcome outcome = dns.resolve6(node, name);
    recorder.complete(invoke, Workload.completion(invoke, outcome));
    workload.counted();
    return outcome;
  }

  private static void ptr(
      Workload workload,
      DnsApi dns,
      HistoryRecorder recorder,
      int process,
      String node,
      String address) {
    Op invoke = recorder.invoke(Op.invoke(process, OpKind.RESOLVE_PTR, node, null, address));
    Outcome outcome = dns.reverse(node, address);
    recorder.complete(invoke, Workload.completion(invoke, outcome).withVip6(null));
    workload.counted();
  }
}
