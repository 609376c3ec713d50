import { createReadStream, createWriteStream } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { adminTransport } from '../api/admin-transport.js';
import { BlobsClient, type ListedObject } from '../api/blobs-client.js';
import { CliError, UsageError } from '../cli-error.js';
import { commandGroup, type Subcommand } from '../command-group.js';
import { flag, stringOption, type CliContext, type ParsedArgs } from '../command.js';
import { isoTime } from '../output/durations.js';
import { formatTable, printListing } from '../output/table.js';

const GROUP = 'blob';
const STDOUT = '-';

/** A guess for common files when --content-type is not given; the node stores application/octet-stream otherwise. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
};

const client = (args: ParsedArgs, ctx: CliContext): BlobsClient => new BlobsClient(adminTransport(args, ctx));

const buckets: Subcommand = {
  name: 'buckets',
  summary: 'list buckets',
  usage: 'nimbus blob buckets [--json]',
  help: ['--json  print {buckets: [...]} as the API returns it'],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const list = await client(args, ctx).buckets();
    printListing(ctx.out, flag(args, 'json'), {
      json: { buckets: list },
      empty: list.length === 0,
      emptyLine: 'No buckets. Make one with: nimbus blob mb NAME',
      lines: () => formatTable(['BUCKET', 'CREATED'], list.map((b) => [b.name, isoTime(b.createdAt)])),
    });
    return 0;
  },
};

const put: Subcommand = {
  name: 'put',
  summary: 'upload a file as an object (streamed)',
  usage: 'nimbus blob put BUCKET/KEY FILE [--content-type T] [--meta NAME=VALUE ...]',
  help: [
    '--content-type T   stored with the object (default: guessed from the file name, else application/octet-stream)',
    '--meta NAME=VALUE  user metadata; repeat for more',
  ],
  options: { 'content-type': { type: 'string' }, meta: { type: 'string', multiple: true } },
  positionals: { names: ['BUCKET/KEY', 'FILE'] },
  async run(args, ctx) {
    const { bucket, key } = objectTarget(args.positionals[0]!);
    const metadata = readMetadata(args);
    const path = resolve(ctx.cwd, args.positionals[1]!);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      throw new CliError(`cannot read ${path}`);
    }
    const contentType = stringOption(args, 'content-type') ?? CONTENT_TYPES[extname(path).toLowerCase()];
    const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
    const result = await client(args, ctx).put(bucket, key, body, {
      contentLength: size,
      metadata,
      ...(contentType !== undefined ? { contentType } : {}),
    });
    ctx.out(`Uploaded ${bucket}/${key} (${result.size} bytes, ${result.eventType}, etag ${result.etag})`);
    return 0;
  },
};

const get: Subcommand = {
  name: 'get',
  summary: 'download an object to a file or standard output (streamed)',
  usage: 'nimbus blob get BUCKET/KEY [FILE|-]',
  help: ['FILE  where to write it; "-" or none writes the bytes to standard output'],
  options: {},
  positionals: { names: ['BUCKET/KEY', 'FILE'], optional: 1 },
  async run(args, ctx) {
    const { bucket, key } = objectTarget(args.positionals[0]!);
    const target = args.positionals[1] ?? STDOUT;
    const response = await client(args, ctx).get(bucket, key);
    const body = response.body;
    if (target === STDOUT) {
      if (body) for await (const chunk of body) ctx.write(chunk);
      return 0;
    }
    const path = resolve(ctx.cwd, target);
    let written = 0;
    try {
      const source = body ? Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>) : Readable.from([]);
      source.on('data', (chunk: Uint8Array) => (written += chunk.length));
      await pipeline(source, createWriteStream(path));
    } catch (err) {
      await unlink(path).catch(() => undefined);
      throw new CliError(`download of ${bucket}/${key} to ${path} failed: ${(err as Error).message}`);
    }
    ctx.out(`Downloaded ${bucket}/${key} to ${target} (${written} bytes)`);
    return 0;
  },
};

const ls: Subcommand = {
  name: 'ls',
  summary: "a bucket's objects, every page of them",
  usage: 'nimbus blob ls BUCKET[/PREFIX] [--delimiter /] [--json]',
  help: [
    '--delimiter D  roll keys that contain D after the prefix into one "folder" row (PREFIX column)',
    '--json         print {objects: [...], commonPrefixes: [...]} from all pages',
  ],
  options: { delimiter: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: ['BUCKET[/PREFIX]'] },
  async run(args, ctx) {
    const target = args.positionals[0]!;
    const slash = target.indexOf('/');
    const bucket = slash < 0 ? target : target.slice(0, slash);
    const prefix = slash < 0 ? '' : target.slice(slash + 1);
    if (bucket === '') throw new UsageError(`expected BUCKET[/PREFIX], got "${target}"`, GROUP);
    const delimiter = stringOption(args, 'delimiter');
    const listing = await client(args, ctx).listAll(bucket, {
      ...(prefix !== '' ? { prefix } : {}),
      ...(delimiter !== undefined ? { delimiter } : {}),
    });
    printListing(ctx.out, flag(args, 'json'), {
      json: listing,
      empty: listing.objects.length === 0 && listing.commonPrefixes.length === 0,
      emptyLine: `No objects in ${target}.`,
      lines: () => formatListing(listing.objects, listing.commonPrefixes),
    });
    return 0;
  },
};

const rm: Subcommand = {
  name: 'rm',
  summary: 'delete an object',
  usage: 'nimbus blob rm BUCKET/KEY',
  help: [],
  options: {},
  positionals: { names: ['BUCKET/KEY'] },
  async run(args, ctx) {
    const { bucket, key } = objectTarget(args.positionals[0]!);
    await client(args, ctx).remove(bucket, key);
    ctx.out(`Removed ${bucket}/${key}`);
    return 0;
  },
};

const mb: Subcommand = {
  name: 'mb',
  summary: 'make a bucket',
  usage: 'nimbus blob mb BUCKET',
  help: [],
  options: {},
  positionals: { names: ['BUCKET'] },
  async run(args, ctx) {
    const bucket = args.positionals[0]!;
    const { created } = await client(args, ctx).createBucket(bucket);
    ctx.out(created ? `Created bucket ${bucket}` : `Bucket ${bucket} already exists`);
    return 0;
  },
};

const rb: Subcommand = {
  name: 'rb',
  summary: 'remove an empty bucket',
  usage: 'nimbus blob rb BUCKET',
  help: [],
  options: {},
  positionals: { names: ['BUCKET'] },
  async run(args, ctx) {
    const bucket = args.positionals[0]!;
    await client(args, ctx).removeBucket(bucket);
    ctx.out(`Removed bucket ${bucket}`);
    return 0;
  },
};

export const blobCommand = commandGroup({
  name: GROUP,
  summary: 'buckets and objects: list, upload, download, remove',
  subcommands: [buckets, put, get, ls, rm, mb, rb],
});

function objectTarget(target: string): { bucket: string; key: string } {
  const slash = target.indexOf('/');
  if (slash <= 0 || slash === target.length - 1) throw new UsageError(`expected BUCKET/KEY, got "${target}"`, GROUP);
  return { bucket: target.slice(0, slash), key: target.slice(slash + 1) };
}

function readMetadata(args: ParsedArgs): Record<string, string> {
  const raw = args.values['meta'] as unknown;
  const pairs = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--meta expects NAME=VALUE, got "${pair}"`, GROUP);
    metadata[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return metadata;
}

function formatListing(objects: readonly ListedObject[], prefixes: readonly string[]): string[] {
  const rows = [
    ...prefixes.map((p) => [p, 'PREFIX', '-', '-']),
    ...objects.map((o) => [o.key, String(o.size), isoTime(o.lastModified), o.contentType]),
  ];
  return formatTable(['KEY', 'SIZE', 'MODIFIED', 'CONTENT TYPE'], rows);
}
