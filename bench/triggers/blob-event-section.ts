/**
 * Blob triggers: how soon after a PUT is acknowledged its function starts,
 * for single uploads one after another (no backlog).
 */
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { quantile, round, sleep } from '../support/stats.js';
import { PRECISE_NOW, startTriggerBenchNode, type TriggerBenchNode } from './trigger-node.js';

const SAMPLES = 60;
const GAP_MS = 30;

const APP = `
import { blob } from 'nimbus-functions';
export const onUpload = blob({ bucket: 'bench', path: 'in/{n}' }, async (event) => {
  console.log('mark ' + JSON.stringify({ n: Number(event.params.n), at: ${PRECISE_NOW} }));
});
`;

export const blobEventSection: BenchSection = {
  name: 'blob-events',
  title: 'Blob trigger latency: PUT acknowledged → handler start',
  run: benchBlobEvents,
};

export async function benchBlobEvents(): Promise<SectionResult> {
  const bench = await startTriggerBenchNode();
  try {
    await bench.deploy('bench', APP);
    // Untimed: the function's first instance starts here (right after the node's own start its warm pool may still be
    // filling, so that start can boot a process), and the measured uploads meet a warm function, as the title says.
    await putObject(bench, 'warm-up');
    await waitFor(() => bench.marks.length > 0, 'the warm-up upload\'s handler');
    bench.marks.length = 0;
    const sent: number[] = [];
    const acked: number[] = [];
    for (let n = 0; n < SAMPLES; n++) {
      sent[n] = performance.timeOrigin + performance.now();
      acked[n] = await putObject(bench, String(n));
      await sleep(GAP_MS);
    }
    await waitFor(() => bench.marks.length >= SAMPLES, `${SAMPLES} handlers`);
    const marks = bench.marks as { n: number; at: number }[];
    const fromAck = marks.map((m) => m.at - acked[m.n]!);
    const fromSend = marks.map((m) => m.at - sent[m.n]!);
    const put = acked.map((a, n) => a - sent[n]!);
    const rows: BenchRow[] = [
      { measure: 'PUT round trip (client)', samples: put.length, 'p50 ms': round(quantile(put, 0.5), 2), 'p99 ms': round(quantile(put, 0.99), 2) },
      { measure: 'PUT sent → handler start', samples: fromSend.length, 'p50 ms': round(quantile(fromSend, 0.5), 2), 'p99 ms': round(quantile(fromSend, 0.99), 2) },
      { measure: 'PUT acknowledged → handler start', samples: fromAck.length, 'p50 ms': round(quantile(fromAck, 0.5), 2), 'p99 ms': round(quantile(fromAck, 0.99), 2) },
    ];
    return {
      rows,
      notes: [
        `${SAMPLES} small uploads, one at a time ${GAP_MS} ms apart, to a warm blob function (one untimed upload first starts its instance).`,
        'The event is written in the same transaction as the object and fanned out at once; a negative ack → start means the handler started before the client read the PUT answer.',
        'Target: PUT acknowledged → handler start p50 ≤ 20 ms.',
      ],
    };
  } finally {
    await bench.dispose();
  }
}

/** Uploads `in/<name>`; resolves with when the answer arrived (epoch ms, as the handlers' marks). */
async function putObject(bench: TriggerBenchNode, name: string): Promise<number> {
  const res = await fetch(`${bench.node.url}/_nimbus/api/v1/blobs/bench/in/${name}`, {
    method: 'PUT', headers: { authorization: `Bearer ${bench.node.adminKey}` }, body: `payload ${name}`,
  });
  const answeredAt = performance.timeOrigin + performance.now();
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`PUT answered ${res.status}`);
  return answeredAt;
}

async function waitFor(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} did not run within 30 s`);
    await sleep(20);
  }
}
