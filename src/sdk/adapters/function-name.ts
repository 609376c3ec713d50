/**
 * Another platform's function name (an Azure function name, a Lambda
 * function key) as a Nimbus function name, a JavaScript identifier of at most
 * 100 characters: `hello-world` → `hello_world`. Every other character becomes
 * `_`, a leading digit gets a `_` in front, and the rest is cut. The same rule
 * runs in the CLI (to show the mapping before a deploy) and in the instance
 * (to name the definitions).
 */
const MAX_NIMBUS_NAME = 100;

export function nimbusFunctionName(foreignName: string): string {
  let name = foreignName.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(name)) name = `_${name}`;
  return name.slice(0, MAX_NIMBUS_NAME);
}
