import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInZone, Schedule } from '../../../src/triggers/timer/schedule.js';

const utc = (ms: number[]): string[] => ms.map((t) => new Date(t).toISOString());
const zoned = (ms: number[], tz: string): string[] => ms.map((t) => formatInZone(t, tz));

test('five fields are minutes first; six fields put seconds first', () => {
  const from = Date.parse('2026-05-01T10:00:00.500Z');
  assert.deepEqual(utc(new Schedule('*/20 * * * *').nextTimes(from, 2)), ['2026-05-01T10:20:00.000Z', '2026-05-01T10:40:00.000Z']);
  assert.deepEqual(utc(new Schedule('*/20 * * * * *').nextTimes(from, 2)), ['2026-05-01T10:00:20.000Z', '2026-05-01T10:00:40.000Z']);
});

test('the next time is strictly after the given instant', () => {
  assert.deepEqual(utc(new Schedule('0 * * * *').nextTimes(Date.parse('2026-05-01T10:00:00.000Z'), 1)), ['2026-05-01T11:00:00.000Z']);
});

test('shortcuts: @hourly @daily @midnight @weekly @monthly @yearly @annually', () => {
  const from = Date.parse('2026-05-06T10:15:00Z'); // a Wednesday
  const expected: Record<string, string> = {
    '@hourly': '2026-05-06T11:00:00.000Z',
    '@daily': '2026-05-07T00:00:00.000Z',
    '@midnight': '2026-05-07T00:00:00.000Z',
    '@weekly': '2026-05-10T00:00:00.000Z',
    '@monthly': '2026-06-01T00:00:00.000Z',
    '@yearly': '2027-01-01T00:00:00.000Z',
    '@annually': '2027-01-01T00:00:00.000Z',
  };
  for (const [cron, next] of Object.entries(expected)) assert.equal(utc([new Schedule(cron).nextAfter(from)!])[0], next, cron);
});

test('the time zone decides the wall-clock time: 09:00 in Tokyo is 00:00 UTC', () => {
  const times = new Schedule('0 9 * * *', 'Asia/Tokyo').nextTimes(Date.parse('2026-05-01T12:00:00Z'), 2);
  assert.deepEqual(utc(times), ['2026-05-02T00:00:00.000Z', '2026-05-03T00:00:00.000Z']);
  assert.deepEqual(zoned(times, 'Asia/Tokyo'), ['2026-05-02T09:00:00+09:00', '2026-05-03T09:00:00+09:00']);
});

test('spring forward: 02:30 does not exist that day, so it runs once at 03:00 (Berlin)', () => {
  const times = new Schedule('30 2 * * *', 'Europe/Berlin').nextTimes(Date.parse('2026-03-28T12:00:00Z'), 3);
  assert.deepEqual(zoned(times, 'Europe/Berlin'), ['2026-03-29T03:00:00+02:00', '2026-03-30T02:30:00+02:00', '2026-03-31T02:30:00+02:00']);
});

test('spring forward: 02:30 runs once at 03:00 (New York)', () => {
  const times = new Schedule('30 2 * * *', 'America/New_York').nextTimes(Date.parse('2026-03-07T12:00:00Z'), 3);
  assert.deepEqual(zoned(times, 'America/New_York'), ['2026-03-08T03:00:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00']);
});

test('fall back: 01:30 occurs twice in New York and runs once, at the first (daylight-time) occurrence', () => {
  const times = new Schedule('30 1 * * *', 'America/New_York').nextTimes(Date.parse('2026-10-31T12:00:00Z'), 3);
  assert.deepEqual(zoned(times, 'America/New_York'), ['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00', '2026-11-03T01:30:00-05:00']);
});

test('fall back in Berlin: 01:30 is not repeated and runs once; 02:30 is repeated and still runs once', () => {
  const from = Date.parse('2026-10-24T12:00:00Z');
  assert.deepEqual(zoned(new Schedule('30 1 * * *', 'Europe/Berlin').nextTimes(from, 2), 'Europe/Berlin'), [
    '2026-10-25T01:30:00+02:00',
    '2026-10-26T01:30:00+01:00',
  ]);
  assert.deepEqual(zoned(new Schedule('30 2 * * *', 'Europe/Berlin').nextTimes(from, 2), 'Europe/Berlin'), [
    '2026-10-25T02:30:00+02:00',
    '2026-10-26T02:30:00+01:00',
  ]);
});

test('interval schedules keep their real-time rhythm through the repeated hour', () => {
  // Every 30 minutes across Berlin's fall-back night: eight instants, half an hour apart in real time.
  const times = new Schedule('*/30 * * * *', 'Europe/Berlin').nextTimes(Date.parse('2026-10-24T23:45:00Z'), 8);
  for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 30 * 60_000);
});

test('timesBetween lists the times in a window, oldest first, and says when it stopped at the limit', () => {
  const schedule = new Schedule('0 * * * *');
  const from = Date.parse('2026-05-01T10:00:00Z');
  const all = schedule.timesBetween(from, Date.parse('2026-05-01T13:00:00Z'), 10);
  assert.deepEqual(utc(all.times), ['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z', '2026-05-01T13:00:00.000Z']);
  assert.equal(all.more, false);
  const capped = schedule.timesBetween(from, Date.parse('2026-05-01T13:00:00Z'), 2);
  assert.deepEqual(utc(capped.times), ['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z']);
  assert.equal(capped.more, true);
});

test('formatInZone writes the offset in force at that instant, +00:00 for UTC', () => {
  assert.equal(formatInZone(Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin'), '2026-01-15T13:00:00+01:00');
  assert.equal(formatInZone(Date.parse('2026-07-15T12:00:00Z'), 'Europe/Berlin'), '2026-07-15T14:00:00+02:00');
  assert.equal(formatInZone(Date.parse('2026-07-15T12:00:00.250Z'), 'UTC'), '2026-07-15T12:00:00.250+00:00');
  assert.equal(formatInZone(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kolkata'), '2026-07-15T17:30:00+05:30');
});
