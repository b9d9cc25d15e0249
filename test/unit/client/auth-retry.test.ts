import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRetriableWatchCancel, isStaleAuthError, retryBackoffMs } from '../../../src/client/auth-retry.js';

describe('clientv3 retry rules for stale credentials', () => {
  it('retries a stale token or auth revision; a missing user name only when credentials were given', () => {
    for (const [details, hasCredentials, expected] of [
      ['etcdserver: invalid auth token', true, true],
      ['etcdserver: invalid auth token', false, true],
      ['etcdserver: revision of auth store is old', false, true],
      ['etcdserver: user name is empty', true, true],
      ['etcdserver: user name is empty', false, false],
      ['etcdserver: permission denied', true, false],
      ['etcdserver: authentication failed, invalid user ID or password', true, false],
    ] as const) {
      assert.equal(isStaleAuthError(details, hasCredentials), expected, `${details} (credentials: ${hasCredentials})`);
    }
  });

  it("re-creates a watch refused for a stale token or auth revision (etcd's reason is the whole status text)", () => {
    assert.equal(isRetriableWatchCancel('rpc error: code = Unauthenticated desc = etcdserver: invalid auth token'), true);
    assert.equal(isRetriableWatchCancel('rpc error: code = InvalidArgument desc = etcdserver: revision of auth store is old'), true);
    assert.equal(isRetriableWatchCancel('etcdserver: invalid auth token'), false);
    assert.equal(isRetriableWatchCancel('rpc error: code = PermissionDenied desc = etcdserver: permission denied'), false);
    assert.equal(isRetriableWatchCancel('rpc error: code = InvalidArgument desc = etcdserver: user name is empty'), false);
  });

  it('backs off 25 ms ± 10 % before every quorum-th retry', () => {
    assert.equal(retryBackoffMs(0, 1, () => 1), 0);
    assert.equal(retryBackoffMs(1, 1, () => 0.5), 25);
    assert.ok(Math.abs(retryBackoffMs(1, 1, () => 1) - 27.5) < 1e-9);
    assert.ok(Math.abs(retryBackoffMs(1, 1, () => 0) - 22.5) < 1e-9);
    // Three endpoints: a quorum of two, so every other retry goes at once.
    assert.deepEqual([1, 2, 3, 4].map((attempt) => retryBackoffMs(attempt, 3, () => 0.5)), [0, 25, 0, 25]);
  });
});
