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

let scratch: string;
let repo: string;
let app: string;

/** A checkout at a path with capitals (as mktemp makes them), so pnpm hashes one folder name. */
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'signet-app-'));
  repo = join(scratch, 'tmp.AbC123', 'signet');
  app = join(scratch, 'app');
  for (const name of ['errors', 'policy']) {
    mkdirSync(join(repo, 'packages', name), { recursive: true });
    writeFileSync(join(repo, 'packages', name, 'package.json'), `{"name":"@signet/${name}"}\n`);
  }
  const encoded = `file+${`//${repo}`.replace(/[:/]/g, '+')}`;
  const errorsEntry = `@signet+errors@${encoded}+packages+errors_0123456789abcdef0123456789abcdef`;
  const policyEntry = `@signet+policy@${encoded}+packages+policy`;
  const store = join(app, 'node_modules/.pnpm');
  mkdirSync(join(store, errorsEntry, 'node_modules/@signet/errors'), { recursive: true });
  writeFileSync(
    join(store, errorsEntry, 'node_modules/@signet/errors/package.json'),
    '{"name":"@signet/errors"}\n',
  );
  const policy = join(store, policyEntry, 'node_modules/@signet');
  mkdirSync(join(policy, 'policy'), { recursive: true });
  writeFileSync(
    join(policy, 'policy/package.json'),
    `{"dependencies":{"@signet/errors":"@signet/errors@file://${repo}/packages/errors"}}\n`,
  );
  symlinkSync(`../../../${errorsEntry}/node_modules/@signet/errors`, join(policy, 'errors'));
  mkdirSync(join(app, 'node_modules/@signet'), { recursive: true });
  symlinkSync(
    `../.pnpm/${errorsEntry}/node_modules/@signet/errors`,
    join(app, 'node_modules/@signet/errors'),
  );
  symlinkSync(
    `../.pnpm/${policyEntry}/node_modules/@signet/policy`,
    join(app, 'node_modules/@signet/policy'),
  );
  writeFileSync(
    join(app, 'package.json'),
    `{"dependencies":{"@signet/errors":"file://${repo}/packages/errors"}}\n`,
  );
  writeFileSync(join(app, 'pnpm-lock.yaml'), `importers: ${repo}\n`);
  writeFileSync(join(store, 'lock.yaml'), `importers: ${repo}\n`);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

function everyText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map(
      (entry) =>
        `${join(entry.parentPath, entry.name)}\n${readFileSync(join(entry.parentPath, entry.name), 'utf8')}`,
    )
    .join('\n');
}

it('leaves no trace of the checkout’s path, hashed names included, and every link still resolves', () => {
  neutralizeCheckoutPath(app, repo);
  expect(everyText(app)).not.toMatch(/AbC123/);
  expect(readdirSync(join(app, 'node_modules/.pnpm')).sort()).toEqual([
    '@signet+errors@file++++signet+packages+errors',
    '@signet+policy@file++++signet+packages+policy',
  ]);
  expect(existsSync(join(app, 'node_modules/@signet/errors/package.json'))).toBe(true);
  expect(existsSync(join(app, 'node_modules/@signet/policy/package.json'))).toBe(true);
  const policyLinks = join(
    app,
    'node_modules/.pnpm/@signet+policy@file++++signet+packages+policy/node_modules/@signet',
  );
  expect(existsSync(join(policyLinks, 'errors/package.json'))).toBe(true);
  expect(readFileSync(join(app, 'package.json'), 'utf8')).toContain('file:///signet/packages/errors');
});

it('drops pnpm’s lockfiles, which record the same paths', () => {
  neutralizeCheckoutPath(app, repo);
  expect(existsSync(join(app, 'pnpm-lock.yaml'))).toBe(false);
  expect(existsSync(join(app, 'node_modules/.pnpm/lock.yaml'))).toBe(false);
});
