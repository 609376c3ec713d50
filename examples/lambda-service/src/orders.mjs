// Each order is processed on its own; those that fail are reported, so only they are retried.
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    if (order.fail) {
      console.error(`order ${order.id} failed (receive count ${record.attributes.ApproximateReceiveCount})`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    } else {
      console.log(`order ${order.id} shipped from ${record.eventSourceARN}`);
    }
  }
  return { batchItemFailures };
};
