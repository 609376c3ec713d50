import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'sdk', 'index.js');

/** Writes an app's files into `dir` and bundles it the way `nimbus deploy` does (without the type check). */
export async function bundleFiles(dir: string, files: Record<string, string>): Promise<{ bundle: string; sourceMap: string }> {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const out = await build({
    entryPoints: [join(dir, 'index.ts')], bundle: true, format: 'esm', platform: 'node', target: 'node20',
    write: false, sourcemap: 'external', outdir: join(dir, '.out'), alias: { 'nimbus-functions': SDK }, logLevel: 'silent',
  });
  const bundle = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const sourceMap = out.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  return { bundle, sourceMap };
}
