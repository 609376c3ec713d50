/**
 * Hands bytes the page already holds to the browser as a download: a blob URL
 * on a temporary link (a plain link to the API could not carry the key).
 */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked a while later, not at once: the browser reads the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
