import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtImage } from './test-support/built-images.js';
import { type ReleaseDecisions, runReleaseDemo } from './test-support/release-demo.js';
import { COSIGN_AUTHORITY } from './test-support/release-policies.js';
import { RELEASE_NOTE, RELEASE_NOTE_NAME } from './test-support/release-signer.js';

// `pnpm test:images` (root, runc, umoci, skopeo, docker-registry, htpasswd; the images of `pnpm images`
// in $SIGNET_IMAGES): "Signet guards its own release", the demo `pnpm demo:release` prints, asserted.

let workDir: string;
let decisions: ReleaseDecisions;
const lines: string[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'signet-release-test-'));
  decisions = await runReleaseDemo({
    imagesDir: process.env.SIGNET_IMAGES ?? '',
    workDir,
    log: (line) => lines.push(line),
  });
}, 900_000); // the whole story: about a minute alone, several on a busy 2-core machine

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('Signet guards its own release: its webhook image, by tag, judged by a webhook running from it', () => {
  it('pushes the webhook image by tag under the digest `pnpm images` recorded', () => {
    expect(decisions.image).toMatch(/^127\.0\.0\.1:\d+\/signet\/signet-webhook:[\w.-]+$/);
    expect(decisions.signed.pushedDigest).toBe(builtImage('signet-webhook').digest);
  });

  it('POST /mutate pins the tag to the pushed digest, with a JSONPatch', () => {
    const { mutate, pinnedImage, pushedDigest } = decisions.signed;
    expect(mutate.allowed).toBe(true);
    expect(mutate.patch).toContainEqual({
      op: 'replace',
      path: '/spec/containers/0/image',
      value: `${decisions.image}@${pushedDigest}`,
    });
    expect(pinnedImage).toBe(`${decisions.image}@${pushedDigest}`);
  });

  it('POST /validate admits the patched Pod: the digest carries the Grafeas attestation and the cosign signature', () => {
    expect(decisions.signed.validate, decisions.signed.validate.message).toMatchObject({ allowed: true });
  });

  it('pins the same tag to an unsigned rebuild by its new digest', () => {
    const { rebuild, signed } = decisions;
    expect(rebuild.pushedDigest).not.toBe(signed.pushedDigest);
    expect(rebuild.pushedDigest).toBe(builtImage('signet').digest);
    expect(rebuild.mutate.allowed).toBe(true);
    expect(rebuild.pinnedImage).toBe(`${decisions.image}@${rebuild.pushedDigest}`);
  });

  it('denies the unsigned rebuild (403), naming the missing attestation and the missing cosign signature', () => {
    const { validate, pushedDigest } = decisions.rebuild;
    expect(validate.allowed).toBe(false);
    expect(validate.code).toBe(403);
    const repository = decisions.image.slice(0, decisions.image.lastIndexOf(':'));
    expect(validate.message).toContain(
      `no attestation by AttestationAuthority ${RELEASE_NOTE.id} (note ${RELEASE_NOTE_NAME})`,
    );
    expect(validate.message).toContain(`no cosign signature by AttestationAuthority ${COSIGN_AUTHORITY}`);
    expect(validate.message).toContain(
      `tag ${pushedDigest.replace(':', '-')}.sig of repository ${repository} does not exist`,
    );
  });

  it('ran the webhook from the image with the resolve hook on Pods, the registry CA and the store mounted', () => {
    expect(decisions.webhookArgs).toEqual(
      expect.arrayContaining(['--resolve-tags=pods', '--registry-ca=/etc/signet/registry/ca.crt']),
    );
    expect(lines.join('\n')).toContain('stopped the webhook (SIGTERM, exit 0)');
  });
});
