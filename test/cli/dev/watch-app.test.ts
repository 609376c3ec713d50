import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIgnored, watchApp, type AppWatcher } from '../../../src/cli/dev/watch-app.js';
import { SAVE_STYLES } from '../support/editor-saves.js';
import { waitFor } from '../support/in-process.js';
import { makeTempDir } from '../support/temp-app.js';

const DEBOUNCE_MS = 100;
/** Long enough past the debounce that a change which was going to be reported would have been. */
const QUIET_MS = DEBOUNCE_MS * 4;

test('a burst of writes is reported once, after the debounce', async (t) => {
  const app = await makeTempDir({ 'index.ts': 'a', 'lib/util.ts': 'a' });
  let changes = 0;
  const watcher = watchApp(app.path, () => changes++, { debounceMs: DEBOUNCE_MS });
  t.after(async () => {
    watcher.close();
    await app.remove();
  });

  // In one turn: a stall between awaited writes longer than the debounce would make two bursts.
  writeFileSync(join(app.path, 'index.ts'), 'b');
  writeFileSync(join(app.path, 'lib/util.ts'), 'b');
  writeFileSync(join(app.path, 'index.ts'), 'c');
  await waitFor('the change', () => changes > 0);
  await new Promise((r) => setTimeout(r, QUIET_MS));
  assert.equal(changes, 1);
});

test('writes under node_modules, .nimbus, dotfiles and the data folder are not changes', async (t) => {
  const app = await makeTempDir({ 'index.ts': 'a', 'node_modules/dep/index.js': 'a', '.nimbus/state': 'a', '.git/HEAD': 'a', 'state/db': 'a' });
  let changes = 0;
  const watcher = watchApp(app.path, () => changes++, { debounceMs: DEBOUNCE_MS, ignore: [join(app.path, 'state')] });
  t.after(async () => {
    watcher.close();
    await app.remove();
  });

  await app.write('node_modules/dep/index.js', 'b');
  await app.write('.nimbus/state', 'b');
  await app.write('.git/HEAD', 'b');
  await app.write('.env', 'b');
  await app.write('state/db', 'b');
  await new Promise((r) => setTimeout(r, QUIET_MS));
  assert.equal(changes, 0);
});

test('which relative paths are ignored', () => {
  assert.equal(isIgnored('index.ts'), false);
  assert.equal(isIgnored('src/routes/users.ts'), false);
  assert.equal(isIgnored('node_modules/x/index.js'), true);
  assert.equal(isIgnored('packages/a/node_modules/x.js'), true);
  assert.equal(isIgnored('.nimbus/nimbus.db'), true);
  assert.equal(isIgnored('src/.index.ts.swp'), true);
  assert.equal(isIgnored('data/x', ['data']), true);
  assert.equal(isIgnored('database.ts', ['data']), false);
});

const ATOMIC = 'temp then rename';
const ROUNDS = 3;

interface Recorded {
  watcher: AppWatcher;
  /** The file under test. */
  file: string;
  /** What it held at each notification (undefined if it was missing). */
  seen: (string | undefined)[];
}

/** Watches `dir` with the default debounce, noting what the file under test holds each time a change is reported. */
function watchNoting(dir: string, file: string): Recorded {
  const recorded: Recorded = { file, seen: [], watcher: watchApp(dir, () => recorded.seen.push(readOrMissing(recorded.file))) };
  return recorded;
}

/**
 * An app folder holding `files`, watched and noting `file` (relative) at each
 * report; both go when the test ends.
 */
async function watchedApp(t: TestContext, files: Record<string, string>, file: string): Promise<{ dir: string; file: string; recorded: Recorded }> {
  const app = await makeTempDir(files);
  const recorded = watchNoting(app.path, join(app.path, file));
  t.after(async () => {
    recorded.watcher.close();
    await app.remove();
  });
  return { dir: app.path, file: recorded.file, recorded };
}

function readOrMissing(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

let saveCount = 0;

/**
 * Saves `file` one way and waits (bounded by waitFor) for a notification after
 * which the file holds what was saved: a report that came before the save
 * finished does not count.
 */
async function saveAndExpectNotice(recorded: Recorded, file: string, style: string): Promise<void> {
  recorded.file = file;
  const before = recorded.seen.length;
  const content = `export const save = ${++saveCount};\n`;
  SAVE_STYLES[style]!(file, content);
  // Read back rather than `content`: a touch leaves the file as it was.
  const expected = readFileSync(file, 'utf8');
  await waitFor(`a notification of the ${style} save of ${file}`, () => recorded.seen.slice(before).includes(expected));
}

/** Every way of saving, each right after an atomic save (the one that left inode-bound watchers deaf), several rounds. */
async function saveEveryWay(recorded: Recorded, file: string): Promise<void> {
  const others = Object.keys(SAVE_STYLES).filter((s) => s !== ATOMIC);
  for (let round = 0; round < ROUNDS; round++) {
    for (const style of others) {
      await saveAndExpectNotice(recorded, file, ATOMIC);
      await saveAndExpectNotice(recorded, file, style);
    }
  }
}

test('every way of saving a file is noticed, again and again after a save that renamed a new file over it', async (t) => {
  const { dir, file, recorded } = await watchedApp(t, { 'index.ts': 'a', 'lib/util.ts': 'a' }, 'index.ts');

  await saveEveryWay(recorded, file);
  await saveEveryWay(recorded, join(dir, 'lib/util.ts'));
});

test('saves in folders made after the watcher started are noticed, however they are saved', async (t) => {
  const { dir, file, recorded } = await watchedApp(t, { 'index.ts': 'a' }, 'src/routes/users.ts');

  // Both folders at once: the inner one exists before the watcher can have heard of the outer.
  mkdirSync(join(dir, 'src/routes'), { recursive: true });
  writeFileSync(file, 'first');
  await waitFor('the new file', () => recorded.seen.includes('first'));
  await saveEveryWay(recorded, file);
});

test('a folder removed and made again is still watched', async (t) => {
  const { dir, file, recorded } = await watchedApp(t, { 'index.ts': 'a', 'lib/util.ts': 'a' }, 'lib/util.ts');

  for (let round = 0; round < ROUNDS; round++) {
    rmSync(join(dir, 'lib'), { recursive: true });
    await waitFor('the removal', () => recorded.seen.includes(undefined));
    recorded.seen.length = 0;
    mkdirSync(join(dir, 'lib'));
    writeFileSync(file, `again ${round}`);
    await waitFor('the file in the new folder', () => recorded.seen.includes(`again ${round}`));
    await saveAndExpectNotice(recorded, file, 'in place');
    await saveAndExpectNotice(recorded, file, ATOMIC);
    await saveAndExpectNotice(recorded, file, 'in place');
  }
});

test('a folder removed and made again at once, likely on its old inode, is still watched', async (t) => {
  const { dir, file, recorded } = await watchedApp(t, { 'index.ts': 'a', 'gen/a.ts': 'a' }, 'gen/a.ts');

  for (let round = 0; round < ROUNDS; round++) {
    // No wait between the two: both events reach the watcher after the folder is back.
    rmSync(join(dir, 'gen'), { recursive: true });
    mkdirSync(join(dir, 'gen'));
    writeFileSync(file, `again ${round}`);
    await waitFor('the file in the new folder', () => recorded.seen.includes(`again ${round}`));
    await saveAndExpectNotice(recorded, file, 'in place');
  }
});

test('the app folder itself removed and made again, at once or after a while, is still watched', async (t) => {
  const { dir, file, recorded } = await watchedApp(t, { 'index.ts': 'a', 'lib/util.ts': 'a' }, 'index.ts');

  for (let round = 0; round < ROUNDS * 2; round++) {
    recorded.file = file;
    rmSync(dir, { recursive: true });
    // Every other round the folder stays gone until its removal is heard; else it is back before any event arrives.
    if (round % 2 === 1) await waitFor('the removal', () => recorded.seen.includes(undefined));
    recorded.seen.length = 0;
    mkdirSync(join(dir, 'lib'), { recursive: true });
    writeFileSync(join(dir, 'lib/util.ts'), 'a');
    writeFileSync(file, `again ${round}`);
    await waitFor('the file in the new app folder', () => recorded.seen.includes(`again ${round}`));
    await saveAndExpectNotice(recorded, file, 'in place');
    await saveAndExpectNotice(recorded, file, ATOMIC);
    await saveAndExpectNotice(recorded, join(dir, 'lib/util.ts'), 'in place');
  }
});

test('an app folder replaced by another renamed into its place (a copy, a checkout) is watched there', async (t) => {
  const { dir, file, recorded } = await watchedApp(t, { 'index.ts': 'a', 'lib/util.ts': 'a' }, 'index.ts');
  const next = `${dir}.next`;
  t.after(() => rmSync(next, { recursive: true, force: true }));

  for (let round = 0; round < ROUNDS; round++) {
    mkdirSync(join(next, 'lib'), { recursive: true });
    writeFileSync(join(next, 'index.ts'), `replaced ${round}`);
    writeFileSync(join(next, 'lib/util.ts'), 'a');
    rmSync(dir, { recursive: true });
    renameSync(next, dir);
    recorded.file = file;
    // Nothing was written in the new folder once it was in place: its arrival is the change.
    await waitFor('the replaced app folder', () => recorded.seen.includes(`replaced ${round}`));
    await saveAndExpectNotice(recorded, file, 'in place');
    await saveAndExpectNotice(recorded, join(dir, 'lib/util.ts'), ATOMIC);
  }
});

test('folders made under ignored ones are not watched, and closing releases every watch', async (t) => {
  const app = await makeTempDir({ 'index.ts': 'a', 'a/b/c.ts': 'a', 'a/d/e.ts': 'a' });
  t.after(() => app.remove());
  const baseline = fsWatches();
  let changes = 0;
  const watcher = watchApp(app.path, () => changes++);
  const watching = fsWatches();
  assert.ok(watching > baseline, 'the watcher holds watches while open');

  mkdirSync(join(app.path, 'node_modules/dep/lib'), { recursive: true });
  writeFileSync(join(app.path, 'node_modules/dep/lib/index.js'), 'x');
  mkdirSync(join(app.path, '.cache/deep'), { recursive: true });
  await new Promise((r) => setTimeout(r, QUIET_MS));
  assert.equal(changes, 0);
  assert.equal(fsWatches(), watching, 'no watch was added under node_modules or a dot folder');

  watcher.close();
  await waitFor('every watch to close', () => fsWatches() === baseline);
});

/** Open fs.watch handles in this process (a closed one leaves the list on the next turn of the loop). */
function fsWatches(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
}
