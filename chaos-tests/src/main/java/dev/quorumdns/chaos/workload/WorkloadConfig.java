package dev.quorumdns.chaos.workload;

/**
 * The shape of a workload. Immutable.
 *
 * @param writers client threads doing register/update/delete/read through the API
 * @param resolvers client threads resolving names over DNS on every node in turn
 * @param names how many names are in play at a time (namespace {@code chaos})
 * @param maxUnknownPerName after this many info outcomes a name is retired for a fresh one, which
 *     keeps each name's linearizability search small (Jepsen's independent keys)
 * @param deleteShare, readShare shares of writer operations that delete or read (the rest are PUTs)
 * @param resolveRate DNS queries per second each resolver sends at most (0: as fast as answers
 *     come, which on a direct path is tens of thousands a second and makes a history of gigabytes)
 */
public record WorkloadConfig(
    int writers,
    int resolvers,
    int names,
    int maxUnknownPerName,
    double deleteShare,
    double readShare,
    double resolveRate) {
  /** Resolvers unpaced. */
  public WorkloadConfig(
      int writers,
      int resolvers,
      int names,
      int maxUnknownPerName,
      double deleteShare,
      double readShare) {
    this(writers, resolvers, names, maxUnknownPerName, deleteShare, readShare, 0);
  }

  public WorkloadConfig {
    if (!(resolveRate >= 0) || Double.isInfinite(resolveRate)) {
      throw new IllegalArgumentException(
          "resolveRate: " + resolveRate + " (expected: a finite number >= 0)");
    }
    if (writers < 0 || resolvers < 0 || writers + resolvers == 0) {
      throw new IllegalArgumentException(
          "writers " + writers + ", resolvers " + resolvers + " (expected: at least one client)");
    }
    if (names < 1) {
      throw new IllegalArgumentException("names: " + names + " (expected: >= 1)");
    }
  }

  public static WorkloadConfig standard() {
    return new WorkloadConfig(4, 4, 24, 4, 0.15, 0.25, 150);
  }
}
