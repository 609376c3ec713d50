/**
 * The Nimbus half of the hybrid API: the order queue's consumer. The API
 * server answers at once; this function does the slow part (pricing, and in
 * a real shop payment and shipping) and keeps a receipt per order.
 */
import { queue, type QueueBatch } from 'nimbus-functions';

export interface Order {
  orderId: string;
  customer: string;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
  receivedAt: number;
}

// The handler's annotation gives the messages' type; the definition's type keeps the queue's name too:
// a TypeScript producer can send with nimbus.queueFor<typeof processOrders>('orders').
export const processOrders = queue(
  { queue: 'orders', batchSize: 10, maxConcurrency: 2, maxAttempts: 5, backoff: { initialMs: 500, maxMs: 10_000 } },
  async (batch: QueueBatch<Order>, ctx) => {
    const failed: string[] = [];
    for (const message of batch.messages) {
      const order = message.body;
      try {
        const totalCents = order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
        // Keyed by order id: a message delivered twice writes the same receipt twice, which is harmless.
        await ctx.blobs.put('receipts', `${order.orderId}.json`, JSON.stringify({
          orderId: order.orderId,
          customer: order.customer,
          items: order.items,
          totalCents,
          messageId: message.id,
          attempt: message.attempt,
          processedAt: Date.now(),
        }), { contentType: 'application/json' });
        ctx.log.info(`order ${order.orderId}: ${order.items.length} item(s), ${totalCents} cents`);
      } catch (error) {
        ctx.log.error(`order ${order.orderId} failed: ${(error as Error).message}`);
        failed.push(message.id); // only this order is retried
      }
    }
    return { failed };
  },
);
