export const handler = async (event) => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    console.log(`thumbnail ${process.env.SIZE}px for s3://${record.s3.bucket.name}/${key} (${record.eventName}, ${record.s3.object.size} bytes)`);
  }
};
