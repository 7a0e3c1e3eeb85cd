import { describe, expect, it } from 'vitest';
import { ImageBuildError, runTool } from './run.js';

describe('runTool', () => {
  it('returns what the tool printed', async () => {
    await expect(runTool('node', ['-e', 'process.stdout.write("made")'])).resolves.toBe('made');
  });

  it('names a missing tool and where to get it', async () => {
    const error = await runTool('buildah-not-here', []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImageBuildError);
    expect((error as ImageBuildError).message).toBe('buildah-not-here is not installed');
  });

  it('says which command failed, how, and the end of what it said', async () => {
    const error = await runTool('node', ['-e', 'console.error("no space left"); process.exit(3)']).catch(
      (caught: unknown) => caught,
    );
    expect((error as ImageBuildError).message).toMatch(/^node -e .* failed \(exit 3\):\nno space left$/s);
  });

  it('gives a tool that never reads its input none, so one that exits at once is no error', async () => {
    for (let run = 0; run < 20; run += 1) await expect(runTool('true', [])).resolves.toBe('');
  });
});
