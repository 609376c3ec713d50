/**
 * `npm run bench [-- names...] [--write]`: runs benchmark sections in
 * sequence, prints each as a Markdown table, and with --write replaces
 * docs/benchmarks.md with the combined result. Never part of `npm test`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sections } from './sections.js';
import { machineFacts } from './support/machine-facts.js';
import { reportMarkdown, sectionMarkdown, type SectionOutcome } from './support/report.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** bin/ is not compiled: from dist/bench/ it is two folders up. */
async function cliBundleIsCurrent(): Promise<boolean> {
  const entry = (await import(new URL('../../bin/cli-entry.js', import.meta.url).href)) as typeof import('../bin/cli-entry.js');
  return entry.cliBundleIsCurrent();
}
const REPORT_PATH = join(REPO_ROOT, 'docs', 'benchmarks.md');
const HOW_TO_READ_PATH = join(REPO_ROOT, 'bench', 'how-to-read.md');

async function main(argv: readonly string[]): Promise<number> {
  const write = argv.includes('--write');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !sections.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(`unknown bench section(s): ${unknown.join(', ')}; known: ${sections.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const chosen = names.length > 0 ? sections.filter((s) => names.includes(s.name)) : [...sections];
  const machine = machineFacts();
  console.log(`# nimbus bench: ${chosen.map((s) => s.name).join(', ')} — ${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverage1m}\n`);
  // Sections that start `nimbus` (getting-started, scale) would time the compiled modules' slower start, not what users run.
  if (!(await cliBundleIsCurrent())) {
    console.log('> The CLI bundle (dist/cli) is missing or older than tsc\'s build, so `nimbus` runs from the compiled modules here, about 0.1 s slower to start than installed: `npm run build` makes it again (`npm run bench` does).\n');
  }

  const outcomes: SectionOutcome[] = [];
  for (const section of chosen) {
    const started = performance.now();
    const result = await section.run();
    const outcome = { section, result, seconds: (performance.now() - started) / 1000 };
    outcomes.push(outcome);
    console.log(`${sectionMarkdown(outcome)}\n`);
  }
  if (write) {
    // The exact command, with any BENCH_* knobs that changed the bounds.
    const knobs = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v}`);
    const command = [...knobs, 'npm run bench --', ...argv].join(' ');
    writeFileSync(REPORT_PATH, reportMarkdown(outcomes, machine, command, readFileSync(HOW_TO_READ_PATH, 'utf8')));
    console.log(`wrote ${REPORT_PATH}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
