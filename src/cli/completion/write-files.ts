// `npm run completions`: regenerates completions/ from the command tree (a unit test fails when they drift).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../commands/index.js';
import { COMPLETION_FILES, SHELLS, completionScript } from './index.js';

/** dist/src/cli/completion/ → the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const COMPLETIONS_DIR = path.join(REPO_ROOT, 'completions');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(COMPLETIONS_DIR, { recursive: true });
  const commandTree = await buildProgram();
  for (const shell of SHELLS) {
    const file = path.join(COMPLETIONS_DIR, COMPLETION_FILES[shell]);
    writeFileSync(file, completionScript(commandTree, shell));
    process.stdout.write(`wrote ${path.relative(REPO_ROOT, file)}\n`);
  }
}
