/**
 * A queue worker: takes e-mails to send from the Nimbus queue "emails", in
 * batches, at least once, with retries and a dead-letter queue.
 *
 * Send it work from the command line:
 *   npx nimbus queue send emails --data '{"to":"ada@example.com","subject":"Welcome"}'
 * or from another program (an API server, a script) with the client, typed by
 * this function so a misspelt queue or a wrong body is a compile error:
 *   import { NimbusClient } from 'nimbus-functions/client';
 *   import type { sendEmails } from './index.js';
 *   await new NimbusClient({ url, key }).queueFor<typeof sendEmails>('emails').send({ to, subject });
 *
 * `npm run dev` runs a local node that redeploys on every save;
 * `npm run deploy` sends the app to the node at NIMBUS_URL.
 */
import { queue, type FunctionBlobs, type QueueBatch } from 'nimbus-functions';

interface Email {
  to: string;
  subject: string;
}

// The handler's annotation gives the messages' type; the definition's type keeps the queue's name too (queueFor).
export const sendEmails = queue(
  {
    queue: 'emails',
    batchSize: 10, // up to 10 messages per call
    maxConcurrency: 2, // at most 2 batches at once, across all instances
    maxAttempts: 5, // then the message waits in "emails.dlq" (`npx nimbus queue redrive emails` brings it back)
    backoff: { initialMs: 1_000, maxMs: 60_000 },
  },
  async (batch: QueueBatch<Email>, ctx) => {
    const failed: string[] = [];
    for (const message of batch.messages) {
      try {
        await deliver(message.body, message.id, ctx.blobs);
        ctx.log.info(`sent "${message.body.subject}" to ${message.body.to} (attempt ${message.attempt})`);
      } catch (error) {
        ctx.log.error(`message ${message.id} failed: ${(error as Error).message}`);
        failed.push(message.id); // only these are retried
      }
    }
    return { failed };
  },
);

/**
 * Stands in for a mail service: writes the e-mail to the bucket "outbox",
 * keyed by message id, so a message delivered twice is written once.
 */
async function deliver(email: Email, messageId: string, blobs: FunctionBlobs): Promise<void> {
  if (typeof email.to !== 'string' || !email.to.includes('@')) throw new Error(`not an address: ${String(email.to)}`);
  await blobs.put('outbox', `${messageId}.json`, JSON.stringify(email), { contentType: 'application/json' });
}
