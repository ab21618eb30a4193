import { describe, expect, it } from 'vitest';
import { identityOf, loggableEvent, parseEvent } from '../../handler/framework/event';
import { errorFields } from '../../handler/framework/log';
import { jitteredDelay, sleep, withRetries } from '../../handler/framework/retry';
import {
  createFailedPhysicalId,
  linkPhysicalId,
  parseLinkPhysicalId,
} from '../../handler/trust-link/physical-id';
import { linkSettings } from '../../handler/trust-link/settings';

describe('physical ids', () => {
  it('round-trips role and Sid through the link id', () => {
    expect(parseLinkPhysicalId(linkPhysicalId('snowflake+ext@fn', 'Link2'))).toEqual({
      roleName: 'snowflake+ext@fn',
      sid: 'Link2',
    });
  });

  it.each([
    [createFailedPhysicalId('0b1c')],
    ['arn:aws:iam::123456789012:role/x'],
    ['SnowflakeTrustLink:a:b-c'],
    [''],
  ])('names no link in "%s"', (id) => {
    expect(parseLinkPhysicalId(id)).toBeUndefined();
  });
});

describe('retry', () => {
  it('keeps jittered delays under the doubling cap', () => {
    for (let retry = 0; retry < 8; retry++) {
      const delay = jitteredDelay(retry, { baseMs: 100, maxMs: 1000 });
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(1000, 100 * 2 ** retry));
    }
  });

  it('retries only what is retryable, a bounded number of times', async () => {
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error(calls === 1 ? 'transient' : 'final');
    };

    await expect(
      withRetries(failing, (e) => (e as Error).message === 'transient', { attempts: 5, baseMs: 1, maxMs: 1 }),
    ).rejects.toThrow('final');
    expect(calls).toBe(2);
  });

  it('stops sleeping when the signal aborts', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort(new Error('deadline'));

    await expect(slept).rejects.toThrow('deadline');
    await expect(sleep(10, controller.signal)).rejects.toThrow('deadline');
  });
});

describe('event', () => {
  it('reads what a response needs even from a partial event, without the URL in logs', () => {
    const raw = { ResponseURL: 'https://s3/presigned', RequestId: 'r1', PhysicalResourceId: 'p1' };
    expect(identityOf(raw)).toEqual({
      responseUrl: 'https://s3/presigned',
      StackId: '',
      RequestId: 'r1',
      LogicalResourceId: '',
      PhysicalResourceId: 'p1',
    });
    expect(loggableEvent(raw)).toEqual({ RequestId: 'r1', PhysicalResourceId: 'p1' });
    expect(loggableEvent('text')).toBe('text');
  });

  it.each([[null], [[]], ['Create']])('refuses %j as an event', (raw) => {
    expect(() => parseEvent(raw)).toThrow('not a CloudFormation custom-resource request');
  });
});

describe('link settings', () => {
  it('reads the waits and the served stack from the environment', () => {
    expect(
      linkSettings({
        TRUST_LINK_SETTLE_MS: '0',
        TRUST_LINK_MAX_READ_LAG_MS: '2500',
        TRUST_LINK_LATE_WRITE_MS: '100',
        TRUST_LINK_STACK_ID: 'arn:stack',
      }),
    ).toEqual({ settleMs: 0, maxReadLagMs: 2500, lateWriteMs: 100, servedStackId: 'arn:stack' });
  });

  it.each([
    [{}],
    [{ TRUST_LINK_SETTLE_MS: '' }],
    [{ TRUST_LINK_SETTLE_MS: 'soon' }],
    [{ TRUST_LINK_SETTLE_MS: '-1' }],
  ])('falls back to the defaults for %j', (environment) => {
    expect(linkSettings(environment)).toEqual({ settleMs: 2000, maxReadLagMs: 10_000, lateWriteMs: 10_000 });
  });
});

describe('log', () => {
  it('keeps the cause of an error, one level down', () => {
    const error = new Error('outer', { cause: new TypeError('inner') });
    expect(errorFields(error)).toEqual({
      error: { name: 'Error', message: 'outer', cause: { name: 'TypeError', message: 'inner' } },
    });
    expect(errorFields('text')).toEqual({ error: 'text' });
  });
});
