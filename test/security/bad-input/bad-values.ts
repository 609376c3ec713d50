/** What a careless or hostile client sends instead of what an endpoint expects. */

/** Nested this deep, whatever walks the value recursively (zod, JSON.stringify, a rewrite) would overflow the stack. */
export const DEEP_LEVELS = 100_000;

export const deepArray = (levels = DEEP_LEVELS) => '['.repeat(levels) + ']'.repeat(levels);
export const deepObject = (levels = DEEP_LEVELS) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

/** Bodies that are not JSON at all, or JSON nested far too deep. */
export const MALFORMED_BODIES: [string, string | Buffer][] = [
  ['an unclosed object', '{'],
  ['a missing value', '{"a":}'],
  ['a trailing comma', '[1,]'],
  ['a bare word', 'nul'],
  ['single quotes', "{'a': 1}"],
  ['two values', '{"a":1}{"b":2}'],
  ['an unterminated string', '"abc'],
  ['only whitespace', '   \n '],
  ['a NUL byte', '\u0000'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  [`an array nested ${DEEP_LEVELS} levels`, deepArray()],
  [`an object nested ${DEEP_LEVELS} levels`, deepObject()],
  [`an array opened ${DEEP_LEVELS} times and never closed`, '['.repeat(DEEP_LEVELS)],
  ['an array nested 100 levels (small, but past the depth cap)', deepArray(100)],
];

/** JSON of the wrong type where an object is expected. */
export const WRONG_TOP_LEVEL: unknown[] = [[], 'x', null, 5, -1, true, 1e308, [{}]];

/** Values of the wrong type, range or size for a field. */
export const WRONG_FIELD_VALUES: unknown[] = [
  [], {}, null, 'x', '', 5, -1, 1.5, 1e308, -1e308, true, '\u0000', 'x'.repeat(100_000),
  JSON.parse(deepArray(40)) as unknown,
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown,
];

/** Path segments that name nothing valid: wrong case, too long, bad encodings, traversal, control characters. */
export const BAD_SEGMENTS: string[] = [
  'Bad-Name!', 'a'.repeat(3000), '%ff', '%', '%00', '%2e%2e', '..', '%c3%bc', '%20', '%0d%0aset-cookie:%20x', '-', '%2F', '%u0041',
];

/** Values an Authorization header should never be accepted with. */
export const BAD_AUTHORIZATION: (string | undefined)[] = [
  undefined, 'Bearer wrong', `Bearer ${'x'.repeat(8000)}`, 'Basic YWRtaW46YWRtaW4=', 'Bearer', 'bearer  ', 'Bearer \u00ff\u00fe',
];

/** Bad values for each query parameter the admin API reads. */
export const BAD_QUERY_VALUES: Record<string, string[]> = {
  limit: ['-1', '0', 'abc', '1.5', '1e309', '99999999999999999999', '%ff', 'x'.repeat(5000)],
  since: ['abc', '-5m', '999999999w', '0000-13-45', '1900-01-01T99:99', '275760-09-14', '%ff', 'x'.repeat(5000)],
  by: ['minute', 'FUNCTION', '%ff', 'x'.repeat(5000)],
  app: ['Bad%20Name', '1abc', '%ff', '%00', 'x'.repeat(5000)],
  fn: ['bad%20name', '1abc', '%ff', 'x'.repeat(5000)],
  invocation: ['x'.repeat(5000)],
  prefix: ['%ff'],
  delimiter: ['%ff'],
  // A cursor is opaque base64url (any such text resumes after the key it encodes): only what no store returns is refused.
  cursor: ['%ff', 'x'.repeat(5000), '%00', 'a+b/c='],
  // Opaque too, but only positions this API gave out are taken: "[1,1]" has one part too few, "[1,1,-1]" a place before a batch's end.
  before: ['%ff', 'x'.repeat(5000), '%00', 'WzEsMV0', 'WzEsMSwtMV0'],
  outcome: ['OK', 'failure', '%ff', 'x'.repeat(5000)],
  order: ['NEWEST', '%ff'],
};
