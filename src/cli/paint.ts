// Colour for people: what is coloured, and how. io.ts decides whether a stream gets colour; chalk is loaded only
// when one does. Bright colours and bold (SGR 1, 9x) rather than the basic 3x colours, which the spinner's frames
// use, so a transcript can tell a frame from coloured output.
import { colourEnabled, type IO, type OutputStream } from './io.js';

export interface Paint {
  /** The `Error:` prefix. */
  error(text: string): string;
  /** A -w table header cell. */
  header(text: string): string;
  /** A watch event type (PUT or DELETE). */
  eventType(type: string): string;
  /** The `hint:` prefix of the line that explains a failure on a terminal. */
  hint(text: string): string;
}

const same = (text: string) => text;
export const PLAIN: Paint = { error: same, header: same, eventType: same, hint: same };

export async function paintFor(stream: OutputStream, env: IO['env'], noColorFlag: boolean): Promise<Paint> {
  if (!colourEnabled(stream, env, noColorFlag)) return PLAIN;
  const { Chalk } = await import('chalk');
  // Level 1 (16 colours) is all this needs, and every terminal has it.
  const chalk = new Chalk({ level: 1 });
  return {
    error: (text) => chalk.bold.redBright(text),
    header: (text) => chalk.bold(text),
    hint: (text) => chalk.bold.yellowBright(text),
    eventType: (type) => (type === 'PUT' ? chalk.greenBright(type) : type === 'DELETE' ? chalk.redBright(type) : type),
  };
}

/** `--no-color` among the global flags before `--`, for errors found before the flags are parsed. */
export function noColorInArgv(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--no-color' || arg === '--no-color=true') return true;
  }
  return false;
}
