import './panels.css';
import type { PageProps } from '../router.js';
import { BucketBrowser } from './blobs/bucket-browser.js';
import { BucketList } from './blobs/bucket-list.js';

/** `#/blobs` lists the buckets; `#/blobs/<bucket>/<folder>/…` is one folder of one (a fresh view per folder: details and upload start over). */
export function BlobsPage({ parts }: PageProps) {
  const [bucket, ...folders] = parts;
  return bucket ? <BucketBrowser key={parts.join('/')} bucket={bucket} folders={folders} /> : <BucketList />;
}
