// The terminal policy (io.ts) and the spinner (spinner.ts) on fake terminals: which terminals get a spinner,
// that a spinner always gives the cursor back, and that it goes when the terminal loses its size or a signal
// comes. Real ptys and real signals: test/e2e/pty.test.ts.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { type IO, spinnerEnabled } from '../../../src/cli/io.js';
import { startSpinner } from '../../../src/cli/spinner.js';
import { fakeIO } from '../../helpers/fake-io.js';

const SHOW_CURSOR = '\u001B[?25h';

/** A terminal's stderr as ora uses it: size, cursor movement, and 'resize' events. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  written = '';
  constructor(
    public columns: number | undefined,
    public rows: number | undefined,
  ) {
    super();
  }
  write(chunk: string | Uint8Array): boolean {
    this.written += chunk.toString();
    return true;
  }
  cursorTo(x: number): boolean {
    return this.write(`\u001B[${x + 1}G`);
  }
  moveCursor(dx: number, dy: number): boolean {
    return this.write(`\u001B[${dy}A`);
  }
  clearLine(): boolean {
    return this.write('\u001B[0K');
  }
}

function terminalIO(terminal: FakeTerminal, env: Record<string, string> = {}): IO {
  return { ...fakeIO('', env), stderr: terminal };
}

describe('spinner policy', () => {
  const cases: [what: string, columns: number | undefined, rows: number | undefined, env: Record<string, string>, expected: boolean][] = [
    ['an 80×24 terminal', 80, 24, {}, true],
    ['a 0×0 pty (script, docker exec -t)', 0, 0, {}, false],
    ['no columns', 0, 24, {}, false],
    ['no rows', 80, 0, {}, false],
    ['an unknown size', undefined, undefined, {}, false],
    ['TERM=dumb', 80, 24, { TERM: 'dumb' }, false],
    ['CI set', 80, 24, { CI: 'true' }, false],
  ];
  for (const [what, columns, rows, env, expected] of cases) {
    it(`${expected ? 'shows' : 'shows no'} spinner on ${what}`, () => {
      assert.equal(spinnerEnabled(terminalIO(new FakeTerminal(columns, rows), env)), expected);
    });
  }
  it('shows no spinner into a pipe', () => {
    assert.equal(spinnerEnabled(fakeIO()), false);
  });
});

describe('spinner', () => {
  it('writes nothing at all on a 0×0 terminal', async () => {
    const terminal = new FakeTerminal(0, 0);
    const spinner = await startSpinner(terminalIO(terminal), 'Defragmenting');
    spinner.text('still defragmenting');
    spinner.stop();
    assert.equal(terminal.written, '');
  });

  it('hides the cursor while it spins and shows it again when stopped', async () => {
    const terminal = new FakeTerminal(80, 24);
    const spinner = await startSpinner(terminalIO(terminal), 'Defragmenting');
    assert.match(terminal.written, /^\u001B\[\?25l.*Defragmenting/s);
    spinner.stop();
    assert.ok(terminal.written.endsWith(SHOW_CURSOR), JSON.stringify(terminal.written));
    const length = terminal.written.length;
    spinner.stop();
    spinner.text('after the end');
    assert.equal(terminal.written.length, length, 'a stopped spinner writes nothing more');
  });

  it('stops for good when the terminal loses its size', async () => {
    const terminal = new FakeTerminal(80, 24);
    const spinner = await startSpinner(terminalIO(terminal), 'Writing 0 / 10');
    terminal.columns = 0;
    terminal.rows = 0;
    terminal.emit('resize');
    assert.ok(terminal.written.endsWith(SHOW_CURSOR));
    const length = terminal.written.length;
    spinner.text('Writing 5 / 10');
    spinner.stop();
    assert.equal(terminal.written.length, length);
  });

  it('stops on a text update once the terminal has no width (no resize event seen)', async () => {
    const terminal = new FakeTerminal(80, 24);
    const spinner = await startSpinner(terminalIO(terminal), 'Writing 0 / 10');
    terminal.columns = 0;
    spinner.text('Writing 5 / 10'); // ora would divide this text's width by 0 columns and loop forever
    assert.ok(terminal.written.endsWith(SHOW_CURSOR));
    assert.doesNotMatch(terminal.written, /Writing 5/);
    spinner.stop();
  });

  it('stops on SIGINT and SIGTERM, leaving a command that handles the signal running', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const listenersBefore = process.listenerCount(signal);
      let commandSawSignal = false;
      const commandHandler = () => (commandSawSignal = true);
      process.on(signal, commandHandler); // as lock and elect do: then the signal must not kill us
      try {
        const terminal = new FakeTerminal(80, 24);
        await startSpinner(terminalIO(terminal), 'Saving snapshot');
        assert.equal(process.listenerCount(signal), listenersBefore + 2, 'the spinner listens while shown');
        process.emit(signal, signal);
        assert.ok(terminal.written.endsWith(SHOW_CURSOR), `${signal}: spinner taken down`);
        assert.ok(commandSawSignal, `${signal}: the command's own handler still runs`);
        assert.equal(process.listenerCount(signal), listenersBefore + 1, 'the spinner stopped listening');
      } finally {
        process.removeListener(signal, commandHandler);
      }
    }
  });

  it('stops on exit', async () => {
    const terminal = new FakeTerminal(80, 24);
    await startSpinner(terminalIO(terminal), 'Checking performance');
    process.emit('exit', 0);
    assert.ok(terminal.written.endsWith(SHOW_CURSOR));
  });
});
