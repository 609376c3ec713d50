export async function daily(event, context) {
  console.log(`report: ${event['detail-type']} from ${event.source} at ${event.time} (${context.functionName})`);
}
