import { goQuote } from '../../api/primitives/go-quote.js';

// JSON read as Go's encoding/json reads it, so a malformed body gets the gateway's own words
// ("invalid character 'b' looking for beginning of object key string"): one left-to-right pass
// with the scanner's error texts, keeping each value's raw bytes (json.RawMessage) for the jsonpb
// step, which, as Go's jsonpb does, re-reads some of them with json.Unmarshal.

export class GoJsonError extends Error {}

/** A parsed value with its raw text (bytes as latin1 characters). */
export type JsonNode =
  | { kind: 'object'; raw: string; fields: Map<string, JsonNode> }
  | { kind: 'array'; raw: string; items: JsonNode[] }
  | { kind: 'string'; raw: string; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'bool'; raw: string; value: boolean }
  | { kind: 'null'; raw: string };

/** Go's quoteChar: a byte as the scanner names it in its errors. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return `'"'`;
  const quoted = goQuote(String.fromCharCode(c.charCodeAt(0)));
  return `'${quoted.slice(1, -1)}'`;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);

/** Thrown at the end of the input inside a value; json.Unmarshal and json.Decoder word it differently. */
class EndOfInput extends Error {}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  private fail(context: string): never {
    const c = this.text[this.pos];
    if (c === undefined) throw new EndOfInput();
    throw new GoJsonError(`invalid character ${quoteChar(c)} ${context}`);
  }

  skipSpace(): void {
    while (isSpace(this.text[this.pos])) this.pos++;
  }

  value(): JsonNode {
    this.skipSpace();
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === '{') return this.object(start);
    if (c === '[') return this.array(start);
    if (c === '"') {
      this.string();
      const raw = this.text.slice(start, this.pos);
      return { kind: 'string', raw, value: decodeString(raw) };
    }
    if (c === '-' || isDigit(c)) {
      this.number();
      return { kind: 'number', raw: this.text.slice(start, this.pos) };
    }
    if (c === 't') return this.literal('true', { kind: 'bool', raw: 'true', value: true });
    if (c === 'f') return this.literal('false', { kind: 'bool', raw: 'false', value: false });
    if (c === 'n') return this.literal('null', { kind: 'null', raw: 'null' });
    return this.fail('looking for beginning of value');
  }

  private literal<T extends JsonNode>(word: string, node: T): T {
    this.pos++;
    for (let i = 1; i < word.length; i++, this.pos++) {
      if (this.text[this.pos] !== word[i]) this.fail(`in literal ${word} (expecting ${quoteChar(word[i]!)})`);
    }
    return node;
  }

  private object(start: number): JsonNode {
    const fields = new Map<string, JsonNode>();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', raw: this.text.slice(start, this.pos), fields };
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('looking for beginning of object key string');
      const keyStart = this.pos;
      this.string();
      const key = decodeString(this.text.slice(keyStart, this.pos));
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('after object key');
      this.pos++;
      const value = this.value();
      fields.delete(key); // a repeated name: the last one counts, in its place
      fields.set(key, value);
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { kind: 'object', raw: this.text.slice(start, this.pos), fields };
      }
      this.fail('after object key:value pair');
    }
  }

  private array(start: number): JsonNode {
    const items: JsonNode[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', raw: this.text.slice(start, this.pos), items };
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { kind: 'array', raw: this.text.slice(start, this.pos), items };
      }
      this.fail('after array element');
    }
  }

  private string(): void {
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) throw new EndOfInput();
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) this.fail('in string literal');
      if (c === '\\') {
        this.pos++;
        const e = this.text[this.pos];
        if (e === 'u') {
          for (let i = 0; i < 4; i++) {
            this.pos++;
            if (!isHex(this.text[this.pos])) this.fail('in \\u hexadecimal character escape');
          }
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('in string escape code');
      }
      this.pos++;
    }
  }

  private number(): void {
    if (this.text[this.pos] === '-') {
      this.pos++;
      if (!isDigit(this.text[this.pos])) this.fail('in numeric literal');
    }
    if (this.text[this.pos] === '0') this.pos++;
    else while (isDigit(this.text[this.pos])) this.pos++;
    if (this.text[this.pos] === '.') {
      this.pos++;
      if (!isDigit(this.text[this.pos])) this.fail('after decimal point in numeric literal');
      while (isDigit(this.text[this.pos])) this.pos++;
    }
    const e = this.text[this.pos];
    if (e === 'e' || e === 'E') {
      this.pos++;
      const sign = this.text[this.pos];
      if (sign === '+' || sign === '-') this.pos++;
      if (!isDigit(this.text[this.pos])) this.fail('in exponent of numeric literal');
      while (isDigit(this.text[this.pos])) this.pos++;
    }
  }
}

/** A validated JSON string literal (raw bytes as latin1) to its text. */
function decodeString(raw: string): string {
  return JSON.parse(Buffer.from(raw, 'latin1').toString('utf8')) as string;
}

/** json.Unmarshal's reading: exactly one value, nothing but space after it. */
export function unmarshalJson(text: string): JsonNode {
  const parser = new Parser(text);
  try {
    const node = parser.value();
    parser.skipSpace();
    if (parser.pos < text.length) throw new GoJsonError(`invalid character ${quoteChar(text[parser.pos]!)} after top-level value`);
    return node;
  } catch (err) {
    if (err instanceof EndOfInput) throw new GoJsonError('unexpected end of JSON input');
    throw err;
  }
}

/**
 * json.Decoder's reading: the values of a stream one after another, as its bytes arrive. `next`
 * gives the next complete value, null when more bytes are needed (or, once the input has ended,
 * at its end); a value cut short by the end is "unexpected EOF".
 */
export class JsonStreamReader {
  private text = '';
  private ended = false;

  push(chunk: Buffer): void {
    this.text += chunk.toString('latin1');
  }

  end(): void {
    this.ended = true;
  }

  next(): JsonNode | null {
    const parser = new Parser(this.text);
    parser.skipSpace();
    if (parser.pos >= this.text.length) return null;
    try {
      const node = parser.value();
      // a number at the end of what has arrived may go on in the next chunk
      if (node.kind === 'number' && parser.pos >= this.text.length && !this.ended) return null;
      this.text = this.text.slice(parser.pos);
      return node;
    } catch (err) {
      if (!(err instanceof EndOfInput)) throw err;
      if (this.ended) throw new GoJsonError('unexpected EOF');
      return null;
    }
  }
}
