import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** jsonc-parser's error codes, as a person reading the file would say them. */
const PROBLEMS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'a number is not written as JSON writes numbers',
  PropertyNameExpected: 'a property name (in double quotes) is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing } is expected',
  CloseBracketExpected: 'a closing ] is expected',
  EndOfFileExpected: 'nothing may follow the top-level value',
  InvalidCommentToken: 'a comment is not closed or not valid',
  UnexpectedEndOfComment: 'a /* comment is never closed',
  UnexpectedEndOfString: 'a string is never closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape in a string',
  InvalidCharacter: 'a character that must be escaped in a string',
};

/**
 * JSON with comments and trailing commas, as wrangler.jsonc (and
 * wrangler.json) may be written, read by Microsoft's jsonc-parser (the
 * parser VS Code uses for its own settings files). The first problem is a
 * SyntaxError naming it and its line and column.
 */
export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const code = printParseErrorCode(first.error);
    const before = text.slice(0, first.offset).split('\n');
    throw new SyntaxError(`${PROBLEMS[code] ?? code} (line ${before.length}, column ${before[before.length - 1]!.length + 1})`);
  }
  return value;
}
