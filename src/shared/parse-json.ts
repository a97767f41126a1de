/**
 * JSON.parse with a message that never quotes the text: V8's own message echoes a fragment of it
 * ("Unexpected token 'x', "…" is not valid JSON"), which may be private or long. Where V8 gives
 * a position, the message says the line and column instead.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SyntaxError(`${what} is not valid JSON: ${jsonProblem(text, err instanceof Error ? err.message : '')}`);
  }
}

function jsonProblem(text: string, raw: string): string {
  const at = /position (\d+)/.exec(raw);
  const position = at ? Number(at[1]) : null;
  if (/unexpected end/i.test(raw) || (position !== null && position >= text.trimEnd().length)) {
    return 'it ends too early (cut short?)';
  }
  if (position === null) return 'it contains text that is not JSON (edited by hand, or damaged?)';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `it stops being JSON at line ${line}, column ${column} (edited by hand, or damaged?)`;
}
