// Shell completion scripts generated from the command tree, one generator per shell.
import type { Command } from '../command-tree.js';
import { bashCompletion } from './bash.js';
import { fishCompletion } from './fish.js';
import { completionModel } from './model.js';
import { powershellCompletion } from './powershell.js';
import { zshCompletion } from './zsh.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** The files `npm run completions` writes into completions/ (with descriptions). */
export const COMPLETION_FILES: Record<Shell, string> = {
  bash: 'etcdctl-ts.bash',
  zsh: '_etcdctl-ts',
  fish: 'etcdctl-ts.fish',
  powershell: 'etcdctl-ts.ps1',
};

export function completionScript(root: Command, shell: Shell, options: { descriptions: boolean } = { descriptions: true }): string {
  const model = completionModel(root);
  switch (shell) {
    case 'bash':
      return bashCompletion(model);
    case 'zsh':
      return zshCompletion(model, options);
    case 'fish':
      return fishCompletion(model, options);
    case 'powershell':
      return powershellCompletion(model, options);
  }
}
