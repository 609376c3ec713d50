import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { answerClientError } from '../../src/gateway/gateway.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** Writes raw bytes to the node and reads whatever comes back until the node closes the connection. */
function rawExchange(url: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

function parseAnswer(raw: string): { status: number; headers: Record<string, string>; body: { error: { code: string; message: string } } } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  }));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

describe("requests Node's HTTP parser refuses get the JSON error body too", () => {
  let node: TestNode;
  before(async () => { node = await startTestNode({ warmPool: { sizePerShape: 0 } }); });
  after(() => node.dispose());

  const cases: [string, string | Buffer, number, string][] = [
    ['garbage instead of a request line', 'this is not http\r\n\r\n', 400, 'NIMBUS_ERR_REQUEST_MALFORMED'],
    ['binary noise', Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), 400, 'NIMBUS_ERR_REQUEST_MALFORMED'],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n', 400, 'NIMBUS_ERR_REQUEST_MALFORMED'],
    ['a bad Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n', 400, 'NIMBUS_ERR_REQUEST_MALFORMED'],
    ['headers past the 16 KiB limit', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431, 'NIMBUS_ERR_HEADERS_TOO_LARGE'],
    ['many headers past the limit', `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`, 431, 'NIMBUS_ERR_HEADERS_TOO_LARGE'],
  ];
  for (const [what, bytes, status, code] of cases) {
    test(`${what}: ${status} ${code}, connection closed`, async () => {
      const answer = parseAnswer(await rawExchange(node.url, bytes));
      assert.equal(answer.status, status);
      assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(answer.headers['connection'], 'close');
      assert.equal(answer.body.error.code, code);
      assert.equal(typeof answer.body.error.message, 'string');
    });
  }

  test('the node keeps serving afterwards', async () => {
    assert.equal((await fetch(`${node.url}/_nimbus/health`)).status, 200);
  });
});

test('a request that does not arrive in time gets 408 with the JSON body (Node reports ERR_HTTP_REQUEST_TIMEOUT)', async () => {
  const server = createServer((socket) => {
    answerClientError(Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket: Socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const answer = parseAnswer(raw);
    assert.equal(answer.status, 408);
    assert.equal(answer.body.error.code, 'NIMBUS_ERR_REQUEST_TIMEOUT');
    assert.equal(answer.headers['connection'], 'close');
  } finally {
    server.close();
  }
});
