import { app, output } from '@azure/functions';

const ordersQueue = output.storageQueue({ queueName: 'orders', connection: 'AzureWebJobsStorage' });
const receipt = output.storageBlob({ path: 'receipts/{orderId}.json', connection: 'AzureWebJobsStorage' });

app.http('createOrder', {
  methods: ['POST'],
  route: 'orders',
  extraOutputs: [ordersQueue],
  handler: async (request, context) => {
    const order = await request.json();
    if (typeof order.orderId !== 'string') return { status: 400, jsonBody: { error: 'orderId is required' } };
    context.extraOutputs.set(ordersQueue, order);
    return { status: 202, jsonBody: { queued: order.orderId } };
  },
});

app.storageQueue('processOrder', {
  queueName: 'orders',
  connection: 'AzureWebJobsStorage',
  extraOutputs: [receipt],
  handler: async (order, context) => {
    context.log(`processing order ${order.orderId}, dequeue count ${context.triggerMetadata.dequeueCount}`);
    if (order.poison) throw new Error(`order ${order.orderId} cannot be processed`);
    context.extraOutputs.set(receipt, {
      orderId: order.orderId,
      items: order.items,
      messageId: context.triggerMetadata.id,
      dequeueCount: context.triggerMetadata.dequeueCount,
    });
  },
});
