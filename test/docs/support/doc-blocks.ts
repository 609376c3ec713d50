/**
 * The fenced code blocks of a Markdown file, and the commands of its ```sh
 * blocks as a reader would type them: continuation lines joined, comments
 * dropped, and comment lines that show output kept as what the command should print.
 */

export interface CodeBlock {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string: `sh`, `ts`, or '' for a plain block. */
  lang: string;
  text: string;
}

export interface DocCommand {
  file: string;
  /** 1-based line where the command starts. */
  line: number;
  /** The command without its comment, continuation lines joined. */
  command: string;
  /**
   * Lines it should print, from comments that look like output (`# {"hello":…}`,
   * `# HTTP/1.1 202 Accepted`), on its own line or after it; `…` stands for anything.
   */
  expected: string[];
}

const FENCE = /^(\s*)```(\S*)\s*$/;
/** A comment that shows output rather than explaining: JSON, or an HTTP status line. */
const OUTPUT_COMMENT = /^(\{|\[|HTTP\/)/;

export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(open[1]!.length));
    blocks.push({ file, line: i + 1, lang: open[2] ?? '', text: body.join('\n') });
    i = j;
  }
  return blocks;
}

export function shellCommands(block: CodeBlock): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = block.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let raw = lines[i]!;
    while (raw.endsWith('\\') && i + 1 < lines.length) raw = `${raw.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const comment = trimmed.replace(/^#\s?/, '');
      if (OUTPUT_COMMENT.test(comment)) commands.at(-1)?.expected.push(comment);
      continue;
    }
    const { code, comment } = splitComment(trimmed);
    commands.push({ file: block.file, line: block.line + 1 + start, command: code, expected: comment !== undefined && OUTPUT_COMMENT.test(comment) ? [comment] : [] });
  }
  return commands;
}

/** `cmd 'a # b' # note` → the command and the note: a `#` after a blank and outside quotes starts a comment. */
export function splitComment(line: string): { code: string; comment?: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '\\') {
      i++;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
    }
  }
  return { code: line };
}

/** Whether printed output has a line that matches an expected one (`…` stands for anything). */
export function printedLine(output: string, expected: string): boolean {
  const pattern = new RegExp(`^${expected.split('…').map(escapeRegExp).join('.*?')}$`);
  return output.split('\n').some((line) => pattern.test(line.trim()));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
