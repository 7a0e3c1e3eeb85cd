import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CertificateError } from './errors.js';
import { podNamespace } from './namespace.js';

describe('podNamespace', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-ns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers POD_NAMESPACE, then the service account’s namespace file', () => {
    const file = join(dir, 'namespace');
    writeFileSync(file, 'from-file\n');
    expect(podNamespace({ POD_NAMESPACE: 'from-env' }, file)).toBe('from-env');
    expect(podNamespace({}, file)).toBe('from-file');
    expect(podNamespace({ POD_NAMESPACE: '  ' }, file)).toBe('from-file');
  });

  it('says what to set when neither is there', () => {
    const missing = join(dir, 'absent');
    const error = (() => {
      try {
        return podNamespace({}, missing);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CertificateError);
    expect((error as CertificateError).code).toBe('CERTS_INVALID_OPTIONS');
    expect((error as CertificateError).message).toBe(
      `cannot tell which namespace the webhook runs in: POD_NAMESPACE is not set and ${missing} is not readable`,
    );
  });
});
