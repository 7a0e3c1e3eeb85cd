import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GpgResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * A throw-away GnuPG home for tests: real gpg, no agent prompts, removed by `close()`. Shared with
 * other packages' tests as `@signet/signing/test-support` (never built, never shipped).
 */
export class GpgHome {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'signet-gpg-'));
  }

  run(args: string[], input?: Uint8Array | string): GpgResult {
    const result = spawnSync(
      'gpg',
      [
        '--homedir',
        this.dir,
        '--batch',
        '--no-tty',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        ...args,
      ],
      { input, maxBuffer: 16 * 1024 * 1024 },
    );
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
  }

  /** Like `run`, but a non-zero exit is a test failure with gpg's own words. */
  ok(args: string[], input?: Uint8Array | string): Buffer {
    const result = this.run(args, input);
    if (result.status !== 0)
      throw new Error(`gpg ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    return result.stdout;
  }

  /** `gpg --quick-gen-key`; returns the primary fingerprint. */
  generate(userId: string, algo = 'ed25519', usage = 'sign', expire = 'never', extra: string[] = []): string {
    this.ok([...extra, '--quick-gen-key', userId, algo, usage, expire]);
    return this.fingerprints(userId)[0]!;
  }

  /** Fingerprints (primary first, then subkeys) gpg lists for `query`. */
  fingerprints(query: string): string[] {
    return fprLines(this.ok(['--with-colons', '--list-keys', query]).toString('utf8'));
  }

  /** Exports `query`, or every key in the home when it is empty. */
  exportPublic(query: string, armor = true): Buffer {
    return this.ok([...(armor ? ['--armor'] : []), '--export', ...(query ? [query] : [])]);
  }

  /** The armored public key of `query`, base64-encoded as Kritis' `asciiArmoredPgpPublicKey` wants it. */
  publicKeyBase64(query: string): string {
    return this.exportPublic(query).toString('base64');
  }

  exportSecret(query: string): string {
    return this.ok(['--armor', '--export-secret-keys', query]).toString('utf8');
  }

  importKey(data: Uint8Array | string): void {
    this.ok(['--import'], data);
  }

  /** `gpg --armor --sign` of `data` (an attached signature), with extra options. */
  signAttached(userId: string, data: Uint8Array, extra: string[] = []): string {
    return this.ok(['--local-user', userId, ...extra, '--armor', '--sign'], data).toString('utf8');
  }

  /** `gpg --detach-sign` (binary) of `data`. */
  signDetached(userId: string, data: Uint8Array): Buffer {
    return this.ok(['--local-user', userId, '--detach-sign'], data);
  }

  /** Revokes the key in this home with the certificate gpg made (its exported public key then carries it). */
  revoke(fingerprint: string): void {
    const certificate = readFileSync(join(this.dir, 'openpgp-revocs.d', `${fingerprint}.rev`), 'utf8');
    this.importKey(certificate.replace(/^:-----BEGIN/m, '-----BEGIN'));
  }

  writeFile(name: string, data: Uint8Array | string): string {
    const path = join(this.dir, name);
    writeFileSync(path, data);
    return path;
  }

  close(): void {
    spawnSync('gpgconf', ['--homedir', this.dir, '--kill', 'all']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The `fpr` records of `gpg --with-colons` output, in order. */
export function fprLines(colons: string): string[] {
  return colons
    .split('\n')
    .filter((line) => line.startsWith('fpr:'))
    .map((line) => line.split(':')[9] ?? '');
}

/** The fingerprints of the primary keys (`pub`/`sec` records) of `gpg --with-colons` output. */
export function primaryFprLines(colons: string): string[] {
  const lines = colons.split('\n');
  return lines
    .map((line, i) => (/^(pub|sec):/.test(line) ? lines[i + 1] : undefined))
    .filter((line): line is string => line?.startsWith('fpr:') === true)
    .map((line) => line.split(':')[9] ?? '');
}

/** The fingerprints named by `[GNUPG:] VALIDSIG <signing-fpr> ... <primary-fpr>` status lines. */
export function validSigs(status: string): { signing: string; primary: string }[] {
  return status
    .split('\n')
    .filter((line) => line.startsWith('[GNUPG:] VALIDSIG '))
    .map((line) => {
      const fields = line.split(' ');
      return { signing: fields[2] ?? '', primary: fields[fields.length - 1] ?? '' };
    });
}
