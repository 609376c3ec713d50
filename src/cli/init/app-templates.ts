import { packagePath } from '../../shared/package-root.js';

/** One starting point for `nimbus init --template NAME`; its files are `templates/<name>/`. */
export interface AppTemplate {
  name: string;
  /** One line for `nimbus init --help` and the list of created files. */
  summary: string;
  /** Commands that show the app working once `npm run dev` runs; `<app>` stands for the app's name. */
  tryIt: readonly string[];
}

/** The templates ship as real files beside dist/, so a test type-checks and deploys them as they are. */
export const TEMPLATES_DIR = packagePath('templates');
/** Files every template gets: tsconfig.json, and `gitignore` (npm leaves `.gitignore` files out of packages). */
export const COMMON_TEMPLATE_DIR = 'common';
export const DEFAULT_TEMPLATE = 'all';

export const TEMPLATES: readonly AppTemplate[] = [
  {
    name: 'all',
    summary: 'one function per trigger: http, queue, blob and timer, passing work along',
    tryIt: ['curl http://127.0.0.1:8080/greet/ada', 'npx nimbus blob get greetings/ada.json'],
  },
  {
    name: 'http-api',
    summary: 'a JSON API (POST /notes, GET /notes, GET /notes/:id) keeping notes in a bucket',
    tryIt: [`curl -X POST http://127.0.0.1:8080/notes -H 'content-type: application/json' -d '{"text":"buy tea"}'`, 'curl http://127.0.0.1:8080/notes'],
  },
  {
    name: 'queue-worker',
    summary: 'a queue consumer with batches, retries of single messages and a dead-letter queue',
    tryIt: [`npx nimbus queue send emails --data '{"to":"ada@example.com","subject":"Welcome"}'`, 'npx nimbus logs <app> -f'],
  },
  {
    name: 'blob-processor',
    summary: 'a blob trigger that summarises every text file uploaded under incoming/',
    tryIt: ["echo 'hello nimbus' > hello.txt", 'npx nimbus blob put uploads/incoming/hello.txt hello.txt', 'npx nimbus blob get uploads/summaries/hello.json'],
  },
  {
    name: 'cron-job',
    summary: 'a timer that writes a report every 15 minutes',
    tryIt: ['npx nimbus timers run <app>/report', 'npx nimbus timers history <app>/report'],
  },
];

export function findTemplate(name: string): AppTemplate | undefined {
  return TEMPLATES.find((t) => t.name === name);
}
