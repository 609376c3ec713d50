import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CliError } from '../../../cli-error.js';
import type { FormatAdapter, FormatReading } from '../app-format.js';
import { lambdaEntry } from './lambda-entry.js';
import type { LambdaService } from './lambda-model.js';
import { readSam } from './sam-reader.js';
import { readServerless } from './serverless-reader.js';
import { readYamlFile } from './yaml-file.js';

/** Looked for in this order: the Serverless Framework's files, then SAM's. */
const SERVERLESS_FILES = ['serverless.yml', 'serverless.yaml'];
const SAM_FILES = ['template.yaml', 'template.yml'];

function descriptionIn(appDir: string): { file: string; kind: 'serverless' | 'sam' } | undefined {
  for (const file of SERVERLESS_FILES) if (existsSync(join(appDir, file))) return { file, kind: 'serverless' };
  for (const file of SAM_FILES) if (existsSync(join(appDir, file))) return { file, kind: 'sam' };
  return undefined;
}

/** AWS Lambda functions described by serverless.yml or a SAM template.yaml. */
export const lambdaFormat: FormatAdapter = {
  format: 'lambda',
  title: 'AWS Lambda (serverless.yml or SAM template.yaml)',

  async detect(appDir: string): Promise<boolean> {
    return descriptionIn(appDir) !== undefined;
  },

  async read(appDir: string): Promise<FormatReading> {
    const found = descriptionIn(appDir);
    if (!found) throw new CliError(`${appDir} has no ${[...SERVERLESS_FILES, ...SAM_FILES].join(', ')}: not an AWS Lambda service`);
    const document = await readYamlFile(join(appDir, found.file));
    const service: LambdaService = found.kind === 'serverless'
      ? readServerless(found.file, document, process.env)
      : readSam(found.file, document, basename(resolve(appDir)));
    const entry = lambdaEntry(appDir, service);
    return {
      format: 'lambda',
      source: found.file,
      entrySource: entry.entrySource,
      mapped: entry.mapped,
      unsupported: entry.unsupported,
      ...(service.appName !== undefined ? { appName: service.appName } : {}),
    };
  },
};
