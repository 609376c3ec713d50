/**
 * The Response class function code sees inside an instance.
 *
 * On Node 20 every web ReadableStream costs ~10 µs to build (it is made
 * transferable on construction), and a Response from a string or bytes builds
 * one for its body, then the runtime reads it back chunk by chunk: about 20 µs
 * of an invocation's ~55 µs for `Response.json({...})`. This subclass keeps a
 * string or byte body as it is and builds the native body only if the handler
 * itself touches `body`, a reader method or `clone()`; the runtime takes the
 * bytes directly. Every other body (streams, Blob, FormData, URLSearchParams)
 * goes to the native constructor untouched.
 *
 * A simple response given no headers also leaves its native Headers alone:
 * its content type is set there only when something reads `headers`, and the
 * runtime takes the head as one pair. Each Headers call validates its
 * arguments, and an idle instance runs that code cold: a few µs under load,
 * up to ~10 µs of a lone request's ~170 µs inside the instance.
 */

type Source = string | Uint8Array;
type BodyInit = ConstructorParameters<typeof globalThis.Response>[0];

/** The native class as TypeScript should see it for subclassing: methods and accessors, not fields. */
declare class NativeResponseClass {
  constructor(body?: BodyInit | null, init?: ResponseInit);
  get headers(): Headers;
  readonly status: number;
  readonly statusText: string;
  get body(): ReadableStream<Uint8Array> | null;
  get bodyUsed(): boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<Blob>;
  formData(): Promise<FormData>;
  json(): Promise<unknown>;
  text(): Promise<string>;
  clone(): globalThis.Response;
  static json(data: unknown, init?: ResponseInit): globalThis.Response;
}

const NativeResponse = globalThis.Response as unknown as typeof NativeResponseClass;
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const TEXT_TYPE = 'text/plain;charset=UTF-8';

/** The content type the next simple body gets when it has none (Response.json sets JSON). */
let nextDefaultType: string | null = TEXT_TYPE;

function isSimpleBody(body: unknown): body is string | ArrayBuffer | ArrayBufferView {
  return typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body);
}

/** A copy, as the fetch standard asks: later writes to the caller's buffer don't change the body. */
function copyBytes(body: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (body instanceof ArrayBuffer) return new Uint8Array(body.slice(0));
  return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
}

/** A response's head as it goes to the host. */
export interface SimpleHead {
  status: number;
  statusText?: string;
  headers: [string, string][];
}

let takeSimple: (response: unknown) => { head: SimpleHead; body: Uint8Array } | undefined;

class Response extends NativeResponse {
  /** The body as given, while nothing has read it; null once it moved to #native or was taken. */
  #source: Source | null = null;
  /** The native Response holding the body, built on first use by the handler. */
  #native: NativeResponseClass | null = null;
  /** Set when the body lives here (a string or bytes), not in the parent class. */
  readonly #simple: boolean;
  /** The content type the native Headers still lack: they were given none and nothing has read them yet. */
  #pendingType: string | null = null;

  static {
    takeSimple = (response) => {
      // A brand check, not instanceof: Response.redirect() and Response.error() build their objects
      // on this prototype without running this constructor, so they pass instanceof but hold no fields.
      if (typeof response !== 'object' || response === null || !(#simple in response) || !response.#simple || response.#source === null) return undefined;
      const source = response.#source;
      response.#source = null;
      const type = response.#pendingType;
      // A subclass may override the headers getter to add its own: only this class's instances take the shortcut.
      const untouched = type !== null && Object.getPrototypeOf(response) === Response.prototype;
      const head: SimpleHead = {
        status: response.status,
        headers: untouched ? [['content-type', type]] : [...response.headers],
      };
      if (response.statusText !== '') head.statusText = response.statusText;
      return { head, body: typeof source === 'string' ? Buffer.from(source) : source };
    };
  }

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    const defaultType = nextDefaultType;
    nextDefaultType = TEXT_TYPE;
    if (!isSimpleBody(body)) {
      super(body, init);
      this.#simple = false;
      return;
    }
    super(null, init);
    if (NULL_BODY_STATUSES.has(this.status)) {
      throw new TypeError(`Response constructor: Invalid response status code ${this.status}`);
    }
    this.#simple = true;
    if (typeof body === 'string') {
      this.#source = body;
      // No default for a clone: its headers came with it.
      if (defaultType !== null) {
        if (init?.headers === undefined) this.#pendingType = defaultType;
        else if (!this.headers.has('content-type')) this.headers.set('content-type', defaultType);
      }
    } else {
      this.#source = copyBytes(body);
    }
  }

  static override json(data: unknown, init?: ResponseInit): globalThis.Response {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError('Response.json: the value is not JSON serializable');
    nextDefaultType = 'application/json';
    return new Response(text, init) as unknown as globalThis.Response;
  }

  /** `x instanceof Response` stays true for native Responses (from fetch, Response.error, …). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === Response ? value instanceof NativeResponse : Function.prototype[Symbol.hasInstance].call(this, value);
  }

  override get headers(): Headers {
    const headers = super.headers;
    // Objects made by Response.redirect() and Response.error() have no fields of this class (see takeSimple).
    if (#pendingType in this && this.#pendingType !== null) {
      headers.set('content-type', this.#pendingType);
      this.#pendingType = null;
    }
    return headers;
  }

  #bodyOwner(): NativeResponseClass {
    if (this.#native === null) {
      const source = this.#source;
      this.#source = null;
      this.#native = new NativeResponse(source, { status: this.status, statusText: this.statusText, headers: this.headers });
    }
    return this.#native;
  }

  override get body(): ReadableStream<Uint8Array> | null {
    return this.#simple ? this.#bodyOwner().body : super.body;
  }

  override get bodyUsed(): boolean {
    if (!this.#simple) return super.bodyUsed;
    // With neither its source nor a native body, the runtime took the body to send it.
    return this.#native === null ? this.#source === null : this.#native.bodyUsed;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return this.#simple ? this.#bodyOwner().arrayBuffer() : super.arrayBuffer();
  }

  override blob(): Promise<Blob> {
    return this.#simple ? this.#bodyOwner().blob() : super.blob();
  }

  override formData(): Promise<FormData> {
    return this.#simple ? this.#bodyOwner().formData() : super.formData();
  }

  override json(): Promise<unknown> {
    return this.#simple ? this.#bodyOwner().json() : super.json();
  }

  override text(): Promise<string> {
    return this.#simple ? this.#bodyOwner().text() : super.text();
  }

  override clone(): globalThis.Response {
    if (!this.#simple) return super.clone();
    if (this.#source !== null) {
      const copy = typeof this.#source === 'string' ? this.#source : this.#source.slice();
      nextDefaultType = null;
      return new Response(copy, { status: this.status, statusText: this.statusText, headers: this.headers }) as unknown as globalThis.Response;
    }
    return this.#bodyOwner().clone();
  }
}

// `bytes()` is newer than some Node 20 releases: only where the native class has it.
if ('bytes' in NativeResponse.prototype) {
  Object.defineProperty(Response.prototype, 'bytes', {
    configurable: true,
    writable: true,
    value: function bytes(this: globalThis.Response): Promise<Uint8Array> {
      return this.arrayBuffer().then((buffer) => new Uint8Array(buffer));
    },
  });
}

/** Makes this the Response every function in this process sees. */
export function installFastResponse(): void {
  globalThis.Response = Response as unknown as typeof globalThis.Response;
}

/**
 * The head and whole body of a Response made from a string or bytes that
 * nothing has read yet, taking the body (the Response counts as used
 * afterwards); undefined for any other Response, which the runtime then reads
 * as a stream.
 */
export function takeSimpleResponse(response: globalThis.Response): { head: SimpleHead; body: Uint8Array } | undefined {
  return takeSimple(response);
}
