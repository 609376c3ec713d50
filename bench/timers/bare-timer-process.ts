/**
 * Entry of the child process that measures the machine's own timer jitter:
 * a bare `setTimeout` aligned to the next whole second, in a plain Node
 * process, `start - scheduled` recorded in its callback. It runs beside the
 * Nimbus node's timer (same seconds), so both see the same machine.
 * Reads the number of firings from argv, sends the lateness list (ms) over IPC.
 */
const firings = Number(process.argv[2] ?? 30);
const latenessMs: number[] = [];

function armNext(): void {
  const scheduled = Math.floor(Date.now() / 1000) * 1000 + 1000;
  setTimeout(() => {
    latenessMs.push(Date.now() - scheduled);
    if (latenessMs.length < firings) armNext();
    else process.send?.({ latenessMs }, () => process.exit(0));
  }, scheduled - Date.now());
}

armNext();
process.once('disconnect', () => process.exit(0));
