import { randomUUID } from 'node:crypto';
import type { TimerTick } from '../../definition.js';
import type { LambdaFunctionInfo } from './function-info.js';

/**
 * An EventBridge scheduled event, as documented in
 * docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
export interface ScheduledEvent {
  version: '0';
  id: string;
  'detail-type': 'Scheduled Event';
  source: 'aws.events';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

/** `time` is the scheduled time, to the second, as EventBridge writes it (`2015-10-08T16:53:06Z`). */
export function scheduledEvent(tick: TimerTick, info: LambdaFunctionInfo, ruleName: string): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: info.accountId,
    time: `${new Date(tick.scheduledAt).toISOString().slice(0, 19)}Z`,
    region: info.region,
    resources: [`arn:aws:events:${info.region}:${info.accountId}:rule/${ruleName}`],
    detail: {},
  };
}
