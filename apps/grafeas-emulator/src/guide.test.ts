import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AttestationOccurrence, openMetadataStore } from '@signet/grafeas-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from './server.js';

const run = promisify(execFile);
const IMAGE = `https://gcr.io/my-proj/app@sha256:${'e'.repeat(64)}`;

let dir: string;
let emulator: RunningEmulator;
let fingerprint: string;

async function gpg(...args: string[]): Promise<string> {
  const { stdout } = await run(
    'gpg',
    ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args],
    {
      env: { ...process.env, GNUPGHOME: join(dir, 'gnupg') },
      cwd: dir,
    },
  );
  return stdout;
}

/** The user's guide, verbatim but for the host: shell heredocs, `$(base64 signature.gpg)`, curl. */
const GUIDE = `
set -eu
cat > note.json <<EOM
{
  "name": "projects/\${PROJECT}/notes/\${NOTE_ID}",
  "attestation": {
    "hint": {
      "humanReadableName": "QA attestor"
    }
  }
}
EOM
curl -sS -X POST -H "Content-Type: application/json" -H "Authorization: Bearer not-a-real-token" \\
  --data-binary @note.json "\${HOST}/v1/projects/\${PROJECT}/notes/?noteId=\${NOTE_ID}" -o note.out -w '%{http_code}\\n'
cat > occurrence.json <<EOM
{
  "resourceUrl": "\${IMAGE}",
  "noteName": "projects/\${PROJECT}/notes/\${NOTE_ID}",
  "attestation": {
    "pgpSignedAttestation": {
      "signature": "$(base64 signature.gpg)",
      "contentType": "SIMPLE_SIGNING_JSON",
      "pgpKeyId": "\${FPR}"
    }
  }
}
EOM
curl -sS -X POST -H "Content-Type: application/json" -H "Authorization: Bearer not-a-real-token" \\
  --data-binary @occurrence.json "\${HOST}/v1beta1/projects/\${PROJECT}/occurrences/" -o occurrence.out -w '%{http_code}\\n'
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signet-guide-'));
  await run('mkdir', ['-m', '700', join(dir, 'gnupg')]);
  await gpg('--quick-gen-key', 'Guide Signer <guide@example.com>', 'ed25519', 'sign', '1d');
  const colons = await gpg('--with-colons', '--list-keys');
  fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1] ?? '';
  const payload = JSON.stringify({
    critical: {
      identity: { 'docker-reference': 'gcr.io/my-proj/app' },
      image: { 'docker-manifest-digest': `sha256:${'e'.repeat(64)}` },
      type: 'Google cloud binauthz container signature',
    },
  });
  await run('bash', ['-c', `printf '%s' '${payload}' > payload.json`], { cwd: dir });
  await gpg('--local-user', fingerprint, '--armor', '--output', 'signature.gpg', '--sign', 'payload.json');
  emulator = await startEmulator({ flavor: 'google' });
});

afterAll(async () => {
  await emulator?.close();
  await run('gpgconf', ['--homedir', join(dir, 'gnupg'), '--kill', 'all']).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe("the user's guide against the emulator (only the host changed)", () => {
  it('creates the note (v1) and the PGP occurrence (v1beta1, legacy shape) with curl', async () => {
    const { stdout } = await run('bash', ['-c', GUIDE], {
      cwd: dir,
      env: {
        ...process.env,
        HOST: emulator.url,
        PROJECT: 'my-proj',
        NOTE_ID: 'qa-note',
        IMAGE,
        FPR: fingerprint,
      },
    });
    expect(stdout.trim().split('\n')).toEqual(['200', '200']);
    const note = JSON.parse(await readFile(join(dir, 'note.out'), 'utf8'));
    expect(note).toMatchObject({
      name: 'projects/my-proj/notes/qa-note',
      kind: 'ATTESTATION',
      attestation: { hint: { humanReadableName: 'QA attestor' } },
    });
    const occurrence = JSON.parse(await readFile(join(dir, 'occurrence.out'), 'utf8'));
    expect(occurrence).toMatchObject({
      kind: 'ATTESTATION',
      resource: { uri: IMAGE },
      noteName: 'projects/my-proj/notes/qa-note',
      attestation: {
        attestation: { pgpSignedAttestation: { contentType: 'SIMPLE_SIGNING_JSON', pgpKeyId: fingerprint } },
      },
    });
  });

  it('the stored attestation reads back through v1beta1 (as stored) and v1 (the armored bytes)', async () => {
    const armored = await readFile(join(dir, 'signature.gpg'), 'utf8');
    expect(armored).toContain('-----BEGIN PGP MESSAGE-----');
    const v1beta1 = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1beta1' });
    const v1 = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1' });
    try {
      const a = await v1beta1.listNoteOccurrences('projects/my-proj/notes/qa-note', IMAGE);
      expect(a.items).toHaveLength(1);
      const sig = (a.items[0] as AttestationOccurrence).signature;
      if (sig.form !== 'pgp') throw new Error('expected pgp');
      expect(sig.keyId).toBe(fingerprint);
      expect(Buffer.from(sig.signature.replace(/\s+/g, ''), 'base64').toString('utf8')).toBe(armored);
      const b = await v1.listImageOccurrences('my-proj', IMAGE);
      expect(b.attestations).toHaveLength(1);
      const generic = b.attestations[0]!.signature;
      if (generic.form !== 'generic') throw new Error('expected generic');
      expect(generic.signatures[0]?.publicKeyId).toBe(fingerprint);
      expect(Buffer.from(generic.signatures[0]!.signature).toString('utf8')).toBe(armored);
      // v1 readers get the signed payload as serializedPayload, so "verified content == payload" holds.
      expect(Buffer.from(generic.serializedPayload).toString('utf8')).toBe(
        await readFile(join(dir, 'payload.json'), 'utf8'),
      );
    } finally {
      await v1beta1.close();
      await v1.close();
    }
  });
});
