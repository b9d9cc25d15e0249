// clientv3's (3.4 and 3.5) retry rules for stale credentials, as its unary retry interceptor and watcher apply
// them: pure functions, so the policy is tested without a server.
import { EtcdErrors, grpcStatusText } from '../api/etcd-errors.js';

/** clientv3's defaultUnaryMaxRetries: a unary call is attempted at most this many times. */
export const MAX_UNARY_ATTEMPTS = 100;

const BACKOFF_WAIT_BETWEEN_MS = 25;
const BACKOFF_JITTER_FRACTION = 0.1;

/**
 * clientv3's shouldRefreshToken: `user name is empty` while credentials were given (the token was lost), or a
 * token that is invalid or predates an auth change. With certificate (CN) auth there is no token to refresh, but
 * the call is still retried: the server rejects a request whose auth revision changed while it was in flight.
 */
export function isStaleAuthError(details: string, hasCredentials: boolean): boolean {
  if (details === EtcdErrors.UserEmpty.message) return hasCredentials;
  return details === EtcdErrors.InvalidAuthToken.message || details === EtcdErrors.AuthOldRevision.message;
}

/**
 * clientv3's shouldRetryWatch: a watch refused for these reasons is re-created on a new stream (with a new
 * token). etcd puts the whole gRPC status text in a refused watch's cancel reason.
 */
export function isRetriableWatchCancel(reason: string): boolean {
  return [EtcdErrors.InvalidAuthToken, EtcdErrors.AuthOldRevision].some(({ code, message }) => reason === grpcStatusText(code, message));
}

/**
 * clientv3's roundRobinQuorumBackoff(25ms, 10%): before attempt n (n ≥ 1), wait 25 ms ± 10 % whenever n is a
 * multiple of the endpoints' quorum, otherwise retry at once.
 */
export function retryBackoffMs(attempt: number, endpointCount: number, random: () => number = Math.random): number {
  if (attempt === 0) return 0;
  const quorum = Math.floor(endpointCount / 2) + 1;
  if (attempt % quorum !== 0) return 0;
  return BACKOFF_WAIT_BETWEEN_MS * (1 + BACKOFF_JITTER_FRACTION * (random() * 2 - 1));
}
