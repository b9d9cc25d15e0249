import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigFileError, readConfigFile } from '../../../src/server/config-file.js';

// etcd's YAML configuration file read as etcd 3.4 reads it: keys are flag names, each value of its
// field's JSON type (texts from etcd 3.4.23 given these files), TLS in client-transport-security.

const read = (text: string) => readConfigFile('etcd.yml', () => text);
const refused = (text: string): string => {
  try {
    read(text);
  } catch (err) {
    assert.ok(err instanceof ConfigFileError);
    return err.message;
  }
  assert.fail('accepted');
};

describe('config file', () => {
  it('turns every kind of field into the flag value', () => {
    const s = read(
      [
        'name: infra0',
        'quota-backend-bytes: 8589934592',
        'max-txn-ops: 256',
        "listen-client-urls: 'http://127.0.0.1:2379,https://127.0.0.1:2381'",
        'log-outputs: [stderr, /var/log/etcd.log]',
        'unsafe-no-fsync: true',
        'experimental-watch-progress-notify-interval: 5000000000',
        'client-transport-security:',
        '  cert-file: /etc/etcd/server.crt',
        '  client-cert-auth: yes', // YAML 1.1, as Go's yaml.v2
        '  trusted-ca-file: /etc/etcd/ca.crt',
        'peer-transport-security:',
        '  auto-tls: true',
        'wal-dir:', // null keeps the default
      ].join('\n'),
    );
    assert.deepEqual(Object.fromEntries(s.flags), {
      name: 'infra0',
      'quota-backend-bytes': '8589934592',
      'max-txn-ops': '256',
      'listen-client-urls': 'http://127.0.0.1:2379,https://127.0.0.1:2381',
      'log-outputs': 'stderr,/var/log/etcd.log',
      'unsafe-no-fsync': 'true',
      'experimental-watch-progress-notify-interval': '5000000000ns',
      'cert-file': '/etc/etcd/server.crt',
      'client-cert-auth': 'true',
      'trusted-ca-file': '/etc/etcd/ca.crt',
    });
    assert.equal(s.notes.length, 1);
    assert.match(s.notes[0], /^peer-transport-security\.auto-tls: /);
  });

  it('reports the keys etcd ignores', () => {
    assert.deepEqual(read('name: a\nnmae: b\nclient-transport-security:\n  certfile: x\n').unknownKeys, ['nmae', 'client-transport-security.certfile']);
  });

  it("refuses a value of the wrong type with Go's decoding error", () => {
    assert.equal(refused('max-txn-ops: "abc"'), 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field configYAML.max-txn-ops of type uint');
    assert.equal(refused('max-txn-ops: -1'), 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number -1 into Go struct field configYAML.max-txn-ops of type uint');
    assert.equal(refused('name: 5'), 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number 5 into Go struct field configYAML.name of type string');
    assert.equal(refused('log-outputs: stderr'), 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field configYAML.log-outputs of type []string');
    assert.equal(refused('client-transport-security:\n  client-cert-auth: "yes"'), 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field configYAML.client-cert-auth of type bool');
    assert.equal(refused('- a'), 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type embed.configYAML');
  });

  it('refuses what is not YAML, and a file it cannot open', () => {
    assert.match(refused('name: [1\n'), /^error converting YAML to JSON: yaml: line \d+: /);
    assert.throws(() => readConfigFile('/nonexistent/etcd.yml'), { message: 'open /nonexistent/etcd.yml: no such file or directory' });
  });

  it('reads an empty file as no settings', () => {
    assert.equal(read('').flags.size, 0);
    assert.equal(read('# only a comment\n').flags.size, 0);
  });
});
