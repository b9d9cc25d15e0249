// completions/ holds the generated scripts; they must be exactly what the generator makes from today's
// command tree (run `npm run completions` after changing commands or flags).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildProgram } from '../../../src/cli/commands/index.js';
import { COMPLETION_FILES, SHELLS, completionScript } from '../../../src/cli/completion/index.js';
import { COMPLETIONS_DIR } from '../../../src/cli/completion/write-files.js';

const commandTree = await buildProgram();

describe('completions/ matches the generator', () => {
  for (const shell of SHELLS) {
    it(`${COMPLETION_FILES[shell]} (${shell})`, () => {
      const file = path.join(COMPLETIONS_DIR, COMPLETION_FILES[shell]);
      const committed = readFileSync(file, 'utf8');
      const generated = completionScript(commandTree, shell);
      assert.ok(committed === generated, `${file} is stale: run \`npm run completions\` and commit the result`);
    });
  }
});
