import { runBlobBackendContract } from '../blob-backend.contract.js';
import { openS3Backend, useSharedS3Server } from './temp-s3-backend.js';

const s3 = useSharedS3Server();

runBlobBackendContract({
  name: 'S3 (s3rver) + SQLite index',
  open: async () => openS3Backend(await s3()),
});
