// Quoting for the generated scripts.

/** A POSIX shell single-quoted word (bash, zsh). */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A fish single-quoted string: only `\` and `'` are special. */
export function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A PowerShell single-quoted string: `'` doubles. */
export function psQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
