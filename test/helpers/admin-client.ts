/** A minimal admin API caller for tests. */
export interface AdminTarget {
  url: string;
  adminKey: string;
}

export async function admin(node: AdminTarget, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${node.url}/_nimbus/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${node.adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).catch((err: unknown) => {
    // undici's own message is only "fetch failed"; the cause says whether the node reset, closed or refused.
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new Error(`${method} ${path} failed${cause}`, { cause: err });
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** Instances running now for one function, as the admin API reports them. */
export async function instanceCount(node: AdminTarget, app: string, fn: string): Promise<number> {
  const { body } = await admin(node, 'GET', `/apps/${app}`);
  return body.app.functions.find((f: { name: string }) => f.name === fn)?.instances ?? 0;
}

/** Polls `check` until it returns true (bounded), for state that settles asynchronously. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
