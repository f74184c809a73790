package dev.quorumdns.node.runtime;

/**
 * A live lease as the leader tracks it. Immutable.
 *
 * @param id the lease's id
 * @param ttlMillis its time to live
 * @param remainingMillis how long it has left before the leader expires it, as of the answer
 * @param grantedAtMillis log time of the entry that granted it
 */
public record LeaseStatus(long id, long ttlMillis, long remainingMillis, long grantedAtMillis) {}
