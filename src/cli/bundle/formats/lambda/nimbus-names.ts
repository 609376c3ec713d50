import { FUNCTION_NAME } from '../../../../triggers/definitions.js';

/** A Lambda function key as a Nimbus function name (a JS identifier): `hello-world` → `hello_world`. */
export function nimbusFunctionName(key: string): string {
  let name = key.replace(/[^A-Za-z0-9_$]/g, '_');
  if (!/^[A-Za-z_$]/.test(name)) name = `_${name}`;
  name = name.slice(0, 100);
  return FUNCTION_NAME.test(name) ? name : '_function';
}

/** Hands out names once: a second `hello_http` becomes `hello_http_2`. */
export class NameBook {
  readonly #taken = new Set<string>();

  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.#taken.has(name); n++) name = `${wanted.slice(0, 95)}_${n}`;
    this.#taken.add(name);
    return name;
  }
}
