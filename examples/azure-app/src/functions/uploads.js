import { app, output } from '@azure/functions';

app.storageBlob('summarizeUpload', {
  path: 'uploads/{name}.txt',
  connection: 'AzureWebJobsStorage',
  return: output.storageBlob({ path: 'summaries/{name}.json', connection: 'AzureWebJobsStorage' }),
  handler: async (blob, context) => {
    const text = blob.toString('utf8');
    context.log(`summarizing ${context.triggerMetadata.blobTrigger} (${blob.length} bytes)`);
    return {
      name: context.triggerMetadata.name,
      bytes: blob.length,
      lines: text.split('\n').filter((line) => line !== '').length,
      contentType: context.triggerMetadata.properties.contentType,
      isBuffer: Buffer.isBuffer(blob),
    };
  },
});
