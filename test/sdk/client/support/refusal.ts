import type { NimbusClientError } from '../../../../src/sdk/client/index.js';

/** The rejection's HTTP status and code, for a call that must be refused. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (error) {
    const { status, code } = error as NimbusClientError;
    return { status, code };
  }
  throw new Error('the call was not refused');
}
