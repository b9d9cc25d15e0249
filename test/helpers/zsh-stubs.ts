// Stand-ins for zsh's completion builtins, printing one candidate per line: real zsh completion needs a
// terminal, so tests call the generated function directly with $words/$CURRENT set.
export const ZSH_COMPLETION_STUBS = [
  'compdef() { : }',
  'compset() { : }',
  '_files() { print -r -- "<files>" }',
  'compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@" }',
  '_describe() { local -a entries; entries=("${(@P)4}"); print -rl -- "${(@)entries%%:*}" }',
].join('\n');
