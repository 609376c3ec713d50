import { relative, resolve } from 'node:path';
import { UsageError } from '../cli-error.js';
import { flag, stringOption, type CliCommand } from '../command.js';
import { DEFAULT_TEMPLATE, findTemplate, TEMPLATES, type AppTemplate } from '../init/app-templates.js';
import { installLine } from '../init/install-line.js';
import { scaffoldApp, type ScaffoldResult } from '../init/scaffold-app.js';

export const initCommand: CliCommand = {
  name: 'init',
  summary: 'make a new app folder from a template',
  usage: `nimbus init [DIR] [--template ${TEMPLATES.map((t) => t.name).join('|')}] [--force]`,
  help: [
    `--template NAME  what the app starts with (default ${DEFAULT_TEMPLATE}):`,
    ...TEMPLATES.map((t) => `                   ${t.name.padEnd(14)} ${t.summary}`),
    '--force          write into a folder that holds other files (replaces index.ts and tsconfig.json)',
    'DIR (default: the current folder) gets index.ts, tsconfig.json, package.json with the',
    'dev/deploy/typecheck scripts and nimbus-functions, typescript and @types/node as',
    'devDependencies (nimbus-functions from this clone when run from one), and a .gitignore.',
    'A folder that holds only package.json, package-lock.json, node_modules or .git counts as empty.',
  ],
  options: { template: { type: 'string', short: 't' }, force: { type: 'boolean' } },
  positionals: { names: ['DIR'], optional: 1 },
  async run(args, ctx) {
    const templateName = stringOption(args, 'template') ?? DEFAULT_TEMPLATE;
    const template = findTemplate(templateName);
    if (!template) throw new UsageError(`unknown template "${templateName}": choose one of ${TEMPLATES.map((t) => t.name).join(', ')}`, 'init');
    const dir = resolve(ctx.cwd, args.positionals[0] ?? '.');
    const result = await scaffoldApp({ dir, template, force: flag(args, 'force') });
    formatCreated(result, template, relative(ctx.cwd, dir)).forEach((line) => ctx.out(line));
    return 0;
  },
};

const FILE_NOTES: Record<string, string> = {
  'tsconfig.json': 'the checks nimbus deploy runs, for tsc and your editor',
  'package.json': 'scripts dev, deploy and typecheck; nimbus-functions and typescript as devDependencies',
  '.gitignore': 'node_modules/ and the .nimbus/ data folder',
};

/** What was written, then the commands that take the new app from here to a deployed function. */
function formatCreated(result: ScaffoldResult, template: AppTemplate, where: string): string[] {
  const width = Math.max(...result.files.map((f) => f.file.length));
  const lines = [`Created the app "${result.name}" in ${where === '' ? 'this folder' : where} from the "${template.name}" template:`];
  for (const { file, kind } of result.files) {
    const note = file === 'index.ts' ? template.summary : FILE_NOTES[file] ?? '';
    lines.push(`  ${file.padEnd(width)}  ${kind === 'created' ? '' : `(${kind}) `}${note}`.trimEnd());
  }
  lines.push('', 'Next:');
  if (where !== '') lines.push(`  cd ${quoteForShell(where)}`);
  if (result.toInstall.length > 0) lines.push(installLine(result.toInstall));
  lines.push('  npm run dev          # a local node on http://127.0.0.1:8080 that redeploys on every save');
  lines.push(...template.tryIt.map((command) => `  ${command.replaceAll('<app>', result.name)}`));
  lines.push('  npm run deploy       # to the node at NIMBUS_URL, with the key in NIMBUS_ADMIN_KEY');
  return lines;
}

function quoteForShell(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
