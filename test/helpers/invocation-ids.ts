/** What Nimbus makes an invocation id: a version 7 UUID (src/runtime/invocation-id.ts). */
export const INVOCATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
