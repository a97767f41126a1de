/**
 * JSON.parse with a message that never quotes the text: V8's own message echoes a fragment of it
 * ("Unexpected token 'x', "…" is not valid JSON"), which may be private or long.
 */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const raw = err instanceof Error ? err.message : '';
    const why = /unexpected end/i.test(raw) ? 'it ends too early (cut short?)' : 'it contains text that is not JSON (edited by hand, or damaged?)';
    throw new SyntaxError(`${what} is not valid JSON: ${why}`);
  }
}
