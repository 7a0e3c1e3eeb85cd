import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtImage } from './test-support/built-images.js';
import {
  type BindMount,
  type RunningContainer,
  runContainer,
  startContainer,
  type UnpackedImage,
  unpackImage,
} from './test-support/run-container.js';

const NODE = '/nodejs/bin/node';

/** What the harness promises every image test: who runs, what can be written, which network. */
describe('run-container (the harness, on the signet image)', () => {
  let image: UnpackedImage;
  beforeAll(async () => {
    image = await unpackImage(builtImage('signet'));
  });
  afterAll(() => image?.remove());

  it('runs PID 1 as 65532:65532 without capabilities, on a read-only root with a writable /tmp', async () => {
    const script = [
      "const fs = require('node:fs');",
      'const tryWrite = (f) => { try { fs.writeFileSync(f, "x"); return "ok"; } catch (e) { return e.code; } };',
      'const caps = fs.readFileSync("/proc/self/status", "utf8").match(/^CapEff:\\s*(\\w+)/m)[1];',
      'console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), pid: process.pid, caps,',
      '  root: tryWrite("/written"), tmp: tryWrite("/tmp/written") }));',
    ].join('\n');
    const result = await runContainer(image, { entrypoint: [NODE, '-e', script] });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      uid: 65532,
      gid: 65532,
      pid: 1,
      caps: '0000000000000000',
      root: 'EROFS',
      tmp: 'ok',
    });
    expect(result.exitCode).toBe(0);
  });

  it("shares the host's loopback and returns PID 1's exit code", async () => {
    const server = createServer((_, response) => response.end('from the host'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const script = `fetch('http://127.0.0.1:${port}/').then((r) => r.text()).then((t) => { console.log(t); process.exitCode = 7; });`;
      const result = await runContainer(image, { entrypoint: [NODE, '-e', script] });
      expect(result.stdout).toBe('from the host\n');
      expect(result.exitCode).toBe(7);
    } finally {
      server.close();
    }
  });

  it('mounts host files read-only, and kill() signals PID 1, whose exit code waitExit() resolves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signet-harness-'));
    await writeFile(join(dir, 'input.txt'), 'mounted');
    await chmod(dir, 0o755);
    const mounts: BindMount[] = [{ source: dir, destination: '/input' }];
    const script = [
      "const fs = require('node:fs');",
      "let write; try { fs.writeFileSync('/input/input.txt', 'changed'); write = 'ok'; } catch (e) { write = e.code; }",
      "process.on('SIGTERM', () => { console.log('SIGTERM'); process.exit(0); });",
      "console.log(fs.readFileSync('/input/input.txt', 'utf8'), write);",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    let container: RunningContainer | undefined;
    try {
      container = await startContainer(image, { entrypoint: [NODE, '-e', script], mounts });
      await container.waitForOutput(/mounted EROFS/, 120_000);
      await container.kill('TERM');
      expect(await container.waitExit(60_000)).toBe(0);
      expect(container.logs().stdout).toBe('mounted EROFS\nSIGTERM\n');
      expect(await readFile(join(dir, 'input.txt'), 'utf8')).toBe('mounted');
    } finally {
      await container?.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
