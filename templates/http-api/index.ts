/**
 * A small JSON API: notes kept in the Nimbus blob bucket "notes".
 *
 *   curl -X POST http://127.0.0.1:8080/notes -H 'content-type: application/json' -d '{"text":"buy tea"}'
 *   curl http://127.0.0.1:8080/notes
 *   curl http://127.0.0.1:8080/notes/<id>
 *
 * Every export is one function, named by its export name, with its own route,
 * limits and instances. `npm run dev` runs a local node that redeploys on
 * every save; `npm run deploy` sends the app to the node at NIMBUS_URL.
 */
import { http } from 'nimbus-functions';

const BUCKET = 'notes';
const MAX_TEXT_LENGTH = 10_000;

interface Note {
  id: string;
  text: string;
  createdAt: string;
}

/** An error answer the caller can act on: a status and a JSON body naming the problem. */
function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

/** POST /notes {"text": "..."}: 201 with the stored note. */
export const createNote = http({ route: 'POST /notes', maxInstances: 5 }, async (req, ctx) => {
  let input: unknown;
  try {
    input = await req.json();
  } catch {
    return problem(400, 'the body is not JSON');
  }
  const text = (input as { text?: unknown } | null)?.text;
  if (typeof text !== 'string' || text === '' || text.length > MAX_TEXT_LENGTH) {
    return problem(400, `text: a string of 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  const note: Note = { id: crypto.randomUUID(), text, createdAt: new Date().toISOString() };
  await ctx.blobs.put(BUCKET, `${note.id}.json`, JSON.stringify(note), { contentType: 'application/json' });
  ctx.log.info(`note ${note.id} created`);
  return Response.json(note, { status: 201 });
});

/** GET /notes/:id: the note, or 404. */
export const getNote = http({ route: 'GET /notes/:id' }, async (req, ctx) => {
  const stored = await ctx.blobs.get(BUCKET, `${ctx.params.id}.json`);
  if (!stored) return problem(404, `no note ${ctx.params.id}`);
  return stored.json<Note>();
});

/** GET /notes: the ids of the first 100 notes; none before the first is created. */
export const listNotes = http({ route: 'GET /notes' }, async (req, ctx) => {
  try {
    const { objects } = await ctx.blobs.list(BUCKET, { limit: 100 });
    return { notes: objects.map((o) => o.key.replace(/\.json$/, '')) };
  } catch (error) {
    // A bucket is made by its first write: until a note is created there is no bucket, and no note.
    if ((error as { code?: string }).code === 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND') return { notes: [] };
    throw error;
  }
});
