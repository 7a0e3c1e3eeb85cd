import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { neutralizeCheckoutPath } from './checkout-path.js';

const REPO = '/home/ci/build-42/signet';
const INJECTED = '@signet+errors@file++++home+ci+build-42+signet+packages+errors';

let app: string;
beforeEach(() => {
  app = mkdtempSync(join(tmpdir(), 'signet-app-'));
  const store = join(app, 'node_modules/.pnpm');
  const errors = join(store, INJECTED, 'node_modules/@signet/errors');
  mkdirSync(errors, { recursive: true });
  writeFileSync(join(errors, 'package.json'), '{"name":"@signet/errors"}\n');
  const policy = join(
    store,
    '@signet+policy@file++++home+ci+build-42+signet+packages+policy/node_modules/@signet',
  );
  mkdirSync(join(policy, 'policy'), { recursive: true });
  writeFileSync(
    join(policy, 'policy/package.json'),
    `{"dependencies":{"@signet/errors":"@signet/errors@file://${REPO}/packages/errors"}}\n`,
  );
  symlinkSync(`../../../${INJECTED}/node_modules/@signet/errors`, join(policy, 'errors'));
  mkdirSync(join(app, 'node_modules/@signet'), { recursive: true });
  symlinkSync(`../.pnpm/${INJECTED}/node_modules/@signet/errors`, join(app, 'node_modules/@signet/errors'));
  writeFileSync(
    join(app, 'package.json'),
    `{"dependencies":{"@signet/errors":"file://${REPO}/packages/errors"}}\n`,
  );
  writeFileSync(join(app, 'pnpm-lock.yaml'), `importers: ${REPO}\n`);
  writeFileSync(join(store, 'lock.yaml'), `importers: ${REPO}\n`);
});
afterEach(() => rmSync(app, { recursive: true, force: true }));

function everyText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map(
      (entry) =>
        `${join(entry.parentPath, entry.name)}\n${readFileSync(join(entry.parentPath, entry.name), 'utf8')}`,
    )
    .join('\n');
}

it('leaves no trace of the checkout’s path, and every link still resolves', () => {
  neutralizeCheckoutPath(app, REPO);
  expect(everyText(app)).not.toMatch(/build-42/);
  expect(readdirSync(join(app, 'node_modules/.pnpm')).sort()).toEqual([
    '@signet+errors@file++++signet+packages+errors',
    '@signet+policy@file++++signet+packages+policy',
  ]);
  expect(existsSync(join(app, 'node_modules/@signet/errors/package.json'))).toBe(true);
  const policyLinks = join(
    app,
    'node_modules/.pnpm/@signet+policy@file++++signet+packages+policy/node_modules/@signet',
  );
  expect(existsSync(join(policyLinks, 'errors/package.json'))).toBe(true);
  expect(readFileSync(join(app, 'package.json'), 'utf8')).toContain('file:///signet/packages/errors');
});

it('drops pnpm’s lockfiles, which record the same paths', () => {
  neutralizeCheckoutPath(app, REPO);
  expect(existsSync(join(app, 'pnpm-lock.yaml'))).toBe(false);
  expect(existsSync(join(app, 'node_modules/.pnpm/lock.yaml'))).toBe(false);
});
