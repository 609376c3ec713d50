import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { adminTransport, type AdminTransport } from '../api/admin-transport.js';
import { QueuesClient, type NewMessage, type PeekedMessage, type QueueStats } from '../api/queues-client.js';
import { AdminApiError, type AppSummary } from '../admin-client.js';
import { CliError, UsageError } from '../cli-error.js';
import { commandGroup, integerOption, type Subcommand } from '../command-group.js';
import { flag, stringOption, type CliContext, type ParsedArgs } from '../command.js';
import { humanDuration, isoTime } from '../output/durations.js';
import { countOf, formatTable, printListing } from '../output/table.js';
import { didYouMean } from '../../shared/suggest.js';

const GROUP = 'queue';
const MAX_PEEK_LIMIT = 100;
/** A peeked body is shown up to this many characters in the table. */
const BODY_SHOWN = 60;

const client = (args: ParsedArgs, ctx: CliContext): QueuesClient => new QueuesClient(adminTransport(args, ctx));

const ls: Subcommand = {
  name: 'ls',
  summary: 'queues with their depth, messages in flight, delayed and dead-lettered, and oldest message age',
  usage: 'nimbus queue ls [--json]',
  help: ['--json  print {queues: [...]} as the admin API returns it'],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const queues = await client(args, ctx).list();
    printListing(ctx.out, flag(args, 'json'), {
      json: { queues },
      empty: queues.length === 0,
      emptyLine: 'No queues yet: a queue exists once a message is sent to it.',
      lines: () => formatQueuesTable(queues),
    });
    return 0;
  },
};

const send: Subcommand = {
  name: 'send',
  summary: 'send one message to a queue',
  usage: 'nimbus queue send NAME --data JSON|@FILE [--delay MS] [--dedup ID] [--priority N]',
  help: [
    '--data VALUE   the message body: JSON as typed, or @FILE holding JSON',
    '--delay MS     invisible to consumers for MS milliseconds',
    '--dedup ID     later sends with the same ID are dropped for a while',
    '--priority N   higher is delivered first (default 0)',
  ],
  options: { data: { type: 'string', short: 'd' }, delay: { type: 'string' }, dedup: { type: 'string' }, priority: { type: 'string' } },
  positionals: { names: ['NAME'] },
  async run(args, ctx) {
    const queue = args.positionals[0]!;
    const message: NewMessage = { body: await readBody(stringOption(args, 'data'), ctx) };
    const delayMs = integerOption(args, 'delay', GROUP, 0);
    const priority = integerOption(args, 'priority', GROUP, Number.MIN_SAFE_INTEGER);
    const dedupId = stringOption(args, 'dedup');
    if (delayMs !== undefined) message.delayMs = delayMs;
    if (priority !== undefined) message.priority = priority;
    if (dedupId !== undefined) message.dedupId = dedupId;
    const queues = client(args, ctx);
    const warning = await newQueueWarning(queues, queue);
    const sent = await queues.send(queue, message);
    // "message" before the id: a bare number after "Sent" reads as a count.
    ctx.out(sent.duplicate ? `Not sent: message ${sent.id} on ${queue} has this dedup id` : `Sent message ${sent.id} to ${queue}`);
    if (warning) ctx.err(warning);
    return 0;
  },
};

/**
 * A send makes its queue, so a mistyped name would quietly start a new one:
 * say so (with the closest existing name) when the queue has never had a
 * message and no deployed function consumes it. Checked before sending, with
 * a peek the node answers 404 for such a queue; a key that may only send
 * cannot peek, and then nothing is said.
 */
async function newQueueWarning(queues: QueuesClient, queue: string): Promise<string | undefined> {
  try {
    await queues.peek(queue, 1);
    return undefined;
  } catch (err) {
    if (!(err instanceof AdminApiError) || err.code !== 'NIMBUS_ERR_QUEUE_NOT_FOUND') return undefined;
  }
  const known = await knownQueueNames(queues.transport);
  return `warning: ${queue} is a new queue: it had no message before this one and no deployed function consumes it${didYouMean(queue, known)}`;
}

/** Queues that have had messages, and queues deployed functions consume: the names a typo is compared with. */
async function knownQueueNames(transport: AdminTransport): Promise<string[]> {
  const [listed, apps] = await Promise.all([
    new QueuesClient(transport).list().catch(() => []),
    transport.json<{ apps: AppSummary[] }>('GET', '/apps').then((r) => r.apps, () => []),
  ]);
  const consumed = apps.flatMap((a) => a.functions.filter((f) => f.kind === 'queue').map((f) => f.trigger?.['queue']));
  return [...new Set([...listed.map((q) => q.name), ...consumed.filter((q): q is string => typeof q === 'string')])];
}

const peek: Subcommand = {
  name: 'peek',
  summary: 'show the next messages in delivery order without taking them',
  usage: 'nimbus queue peek NAME [--limit N] [--json]',
  help: [`--limit N  at most N messages (1-${MAX_PEEK_LIMIT}; default 10)`, '--json     print {messages: [...]} as the admin API returns it'],
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: ['NAME'] },
  async run(args, ctx) {
    const queue = args.positionals[0]!;
    const messages = await client(args, ctx).peek(queue, integerOption(args, 'limit', GROUP, 1, MAX_PEEK_LIMIT));
    printListing(ctx.out, flag(args, 'json'), {
      json: { messages },
      empty: messages.length === 0,
      emptyLine: `${queue} is empty.`,
      lines: () => formatMessagesTable(messages),
    });
    return 0;
  },
};

const purge: Subcommand = {
  name: 'purge',
  summary: 'delete every message of a queue, in flight or not',
  usage: 'nimbus queue purge NAME',
  help: [],
  options: {},
  positionals: { names: ['NAME'] },
  async run(args, ctx) {
    const queue = args.positionals[0]!;
    const purged = await client(args, ctx).purge(queue);
    ctx.out(`Purged ${countOf(purged, 'message')} from ${queue}`);
    return 0;
  },
};

const redrive: Subcommand = {
  name: 'redrive',
  summary: 'move dead letters back to the queue they came from',
  usage: 'nimbus queue redrive NAME',
  help: ['NAME is a dead-letter queue (all its letters go back) or a source queue (its letters come back).'],
  options: {},
  positionals: { names: ['NAME'] },
  async run(args, ctx) {
    const queue = args.positionals[0]!;
    const redriven = await client(args, ctx).redrive(queue);
    ctx.out(`Redrove ${countOf(redriven, 'dead letter')} (${queue})`);
    return 0;
  },
};

export const queueCommand = commandGroup({ name: GROUP, summary: 'list queues; send, peek, purge and redrive messages', subcommands: [ls, send, peek, purge, redrive] });

function formatQueuesTable(queues: readonly QueueStats[]): string[] {
  const rows = queues.map((q) => [
    q.name,
    String(q.depth),
    String(q.inFlight),
    String(q.delayed),
    String(q.deadLettered),
    q.oldestAgeMs === null ? '-' : humanDuration(q.oldestAgeMs),
  ]);
  return formatTable(['NAME', 'DEPTH', 'IN FLIGHT', 'DELAYED', 'DEAD', 'OLDEST'], rows);
}

function formatMessagesTable(messages: readonly PeekedMessage[]): string[] {
  const rows = messages.map((m) => {
    const body = JSON.stringify(m.body) ?? 'null';
    return [m.id, m.state, String(m.priority), String(m.attempts), isoTime(m.enqueuedAt), body.length > BODY_SHOWN ? `${body.slice(0, BODY_SHOWN - 1)}…` : body];
  });
  return formatTable(['ID', 'STATE', 'PRIORITY', 'ATTEMPTS', 'ENQUEUED', 'BODY'], rows);
}

/** The body must be JSON: the queue carries JSON values, and a typo should not become a string message. */
async function readBody(data: string | undefined, ctx: CliContext): Promise<unknown> {
  if (data === undefined) throw new UsageError('--data is required: the message body as JSON, or @FILE', GROUP);
  let text = data;
  let source = '--data';
  if (data.startsWith('@')) {
    const path = resolve(ctx.cwd, data.slice(1));
    source = path;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new CliError(`cannot read --data file ${path}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${source} is not JSON: ${(err as Error).message} (quote text as JSON, e.g. '"hello"')`);
  }
}
