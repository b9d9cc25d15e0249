// Keys and values that are not plain ASCII: unicode, control characters, newlines, invalid UTF-8.
// Node passes argv as UTF-8 strings, so non-UTF-8 bytes travel as Buffer arguments (the harness
// spawns through bash with `$'\xNN'` quoting) or as stdin (a Buffer, byte for byte).
import type { Case, Scenario, SetupStep } from '../scenario.js';

const bytes = (...values: number[]) => Buffer.from(values);
const INVALID_UTF8_KEY = bytes(0xff, 0xfe, 0x41);
const BINARY_VALUE = bytes(0x00, 0xff, 0xfe, 0x01, 0x7f, 0x0a, 0x41);

const setup: SetupStep[] = [
  ['put', '日本', '語'],
  ['put', 'line\nbreak', 'two\nlines'],
  ['put', 'tab\tkey', 'quote"and\\backslash'],
  { args: ['put', 'bin'], stdin: BINARY_VALUE },
  ['put', INVALID_UTF8_KEY, 'raw'],
  ['put', 'soft\u00adhyphen', 'bom\ufeffx'],
  ['put', 'emoji😀', 'é\u2028'],
  ['put', 'ctrl\u0001\u001b', 'del\u007f'],
  { args: ['put', 'nul'], stdin: bytes(0x61, 0x00, 0x62) },
  ['put', 'space key', ' padded '],
];

const formats = ['simple', 'json', 'fields', 'protobuf'] as const;
function allFormats(name: string, args: Case['args']): Case[] {
  return [
    ...formats.map((format): Case => ({ name: `${name} -w ${format}`, args: [...args, '-w', format] })),
    { name: `${name} --hex`, args: [...args, '--hex'] },
  ];
}

export const binaryScenarios: Scenario[] = [
  {
    name: 'binary and unicode: reading',
    setup,
    cases: [
      ...allFormats('unicode key', ['get', '日本']),
      ...allFormats('newline key', ['get', 'line\nbreak']),
      ...allFormats('binary value from stdin', ['get', 'bin']),
      ...allFormats('invalid UTF-8 key (raw argv bytes)', ['get', INVALID_UTF8_KEY]),
      { name: 'quotes and backslashes -w fields', args: ['get', 'tab\tkey', '-w', 'fields'] },
      { name: 'quotes and backslashes', args: ['get', 'tab\tkey'] },
      { name: 'Go %q escapes non-printable runes -w fields', args: ['get', 'soft\u00adhyphen', '-w', 'fields'] },
      { name: 'emoji and U+2028 -w fields', args: ['get', 'emoji😀', '-w', 'fields'] },
      { name: 'control characters -w fields', args: ['get', 'ctrl\u0001\u001b', '-w', 'fields'] },
      { name: 'control characters --hex', args: ['get', 'ctrl\u0001\u001b', '--hex'] },
      { name: 'NUL in value -w fields', args: ['get', 'nul', '-w', 'fields'] },
      { name: 'NUL in value', args: ['get', 'nul', '--print-value-only'] },
      { name: 'spaces kept', args: ['get', 'space key', '-w', 'fields'] },
      { name: 'whole keyspace', args: ['get', '', '--prefix'] },
      { name: 'whole keyspace -w fields', args: ['get', '', '--prefix', '-w', 'fields'] },
      { name: 'whole keyspace --keys-only --hex', args: ['get', '', '--prefix', '--keys-only', '--hex'] },
      { name: 'whole keyspace -w json', args: ['get', '', '--from-key', '-w', 'json'] },
      { name: 'whole keyspace --sort-by VALUE --print-value-only', args: ['get', '', '--prefix', '--sort-by=VALUE', '--print-value-only'] },
      { name: 'prefix \\xff reaches the end of the keyspace', args: ['get', '--prefix', bytes(0xff), '--keys-only', '--hex'] },
      { name: 'prefix with a multibyte rune', args: ['get', '--prefix', '日', '-w', 'json'] },
      { name: 'range with a binary end', args: ['get', 'a', bytes(0xc0), '--keys-only'] },
    ],
  },
  {
    name: 'binary and unicode: writing',
    setup: [],
    cases: [
      { name: 'put an invalid UTF-8 key (raw argv bytes)', args: ['put', bytes(0x80, 0x81), bytes(0xfe, 0x0a)] },
      { name: 'read it back -w fields', args: ['get', bytes(0x80, 0x81), '-w', 'fields'] },
      { name: 'binary value from stdin --prev-kv -w json', args: ['put', bytes(0x80, 0x81), '--prev-kv', '-w', 'json'], stdin: BINARY_VALUE },
      { name: 'binary value from stdin --prev-kv --hex', args: ['put', 'k', '--prev-kv', '--hex'], stdin: bytes(0xde, 0xad, 0xbe, 0xef) },
      { name: 'overwrite --prev-kv --hex prints the old binary value', args: ['put', 'k', 'x', '--prev-kv', '--hex'] },
      { name: 'unicode key and value -w protobuf', args: ['put', 'ключ', 'значение', '-w', 'protobuf', '--prev-kv'] },
      { name: 'unicode --prev-kv -w fields', args: ['put', 'ключ', 'новое', '--prev-kv', '-w', 'fields'] },
      { name: 'value with a trailing newline via stdin', args: ['put', 'nl'], stdin: 'ends with newline\n' },
      { name: 'read it back --print-value-only', args: ['get', 'nl', '--print-value-only'] },
      { name: 'delete the binary key --prev-kv -w fields', args: ['del', bytes(0x80, 0x81), '--prev-kv', '-w', 'fields'] },
      { name: 'delete unicode --prev-kv', args: ['del', 'ключ', '--prev-kv'] },
      { name: 'everything left --hex', args: ['get', '', '--prefix', '--hex'] },
    ],
  },
];
