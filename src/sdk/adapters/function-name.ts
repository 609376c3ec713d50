/**
 * Azure function names (letters, digits, `_` and `-`, up to 127 characters)
 * become Nimbus function names, which are JavaScript identifiers of at most
 * 100 characters: every other character becomes `_`, a leading digit gets a
 * `_` in front, and the rest is cut. The same rule runs in the CLI (to show
 * the mapping before a deploy) and in the instance (to name the definitions).
 */
export const MAX_NIMBUS_NAME = 100;

export function nimbusFunctionName(azureName: string): string {
  let name = azureName.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(name)) name = `_${name}`;
  return name.slice(0, MAX_NIMBUS_NAME);
}
