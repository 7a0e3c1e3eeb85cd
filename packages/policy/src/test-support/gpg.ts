import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Real GnuPG in a throw-away home (removed by `close()`). */
export class Gpg {
  readonly home = mkdtempSync(join(tmpdir(), 'signet-policy-gpg-'));

  run(args: string[], input?: string | Uint8Array): Buffer {
    const result = spawnSync(
      'gpg',
      [
        '--homedir',
        this.home,
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
    if (result.status !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${result.stderr.toString()}`);
    return result.stdout;
  }

  /** Generates a key and returns its primary fingerprint. */
  generate(userId: string, algo = 'ed25519', usage = 'sign', expire = 'never'): string {
    this.run(['--quick-gen-key', userId, algo, usage, expire]);
    return this.fingerprint(userId);
  }

  fingerprint(userId: string): string {
    const listing = this.run(['--with-colons', '--list-keys', userId]).toString();
    return /^fpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
  }

  publicKeyBase64(userId: string): string {
    return this.run(['--armor', '--export', userId]).toString('base64');
  }

  /** `gpg --armor --sign` of `data` (an attached signature), with extra options. */
  signAttached(userId: string, data: Uint8Array, extra: string[] = []): string {
    return this.run(['--local-user', userId, ...extra, '--armor', '--sign'], data).toString();
  }

  /** `gpg --detach-sign` (binary) of `data`. */
  signDetached(userId: string, data: Uint8Array): Buffer {
    return this.run(['--local-user', userId, '--detach-sign'], data);
  }

  importKey(armored: string | Uint8Array): void {
    this.run(['--import'], armored);
  }

  /** Revokes the key in this home (the exported public key then carries the revocation). */
  revoke(fingerprint: string): void {
    const certificate = join(this.home, 'openpgp-revocs.d', `${fingerprint}.rev`);
    const text = readFileSync(certificate, 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
    this.importKey(text);
  }

  close(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
