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
