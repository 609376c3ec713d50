/**
 * The method and path of every admin API route, generated at build time from
 * src/gateway/admin-routes/ by scripts/bundle-console.mjs (so the declarations'
 * zod schemas stay out of the browser). Typed in ./endpoints.ts.
 */
declare module 'nimbus:admin-routes' {
  const manifest: Record<string, Record<string, { method: string; path: string }>>;
  export default manifest;
}
