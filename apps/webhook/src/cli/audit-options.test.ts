import { describe, expect, it } from 'vitest';
import { buildProgram, type WebhookCliOptions } from './program.js';

async function parse(args: string[]): Promise<{ options?: WebhookCliOptions; err: string }> {
  let err = '';
  let options: WebhookCliOptions | undefined;
  const program = buildProgram(
    async (checked) => {
      options = checked;
    },
    { writeOut: () => {}, writeErr: (s) => (err += s) },
  );
  try {
    await program.parseAsync(['node', 'signet-webhook', ...args]);
  } catch {
    // commander's exit: the message is in err
  }
  return { options, err };
}

const CLUSTER = ['--kubernetes', '--insecure-http'];
const LOCAL = ['--policies', './p', '--insecure-http'];

describe('signet-webhook audit options', () => {
  it('audits hourly by default with --kubernetes, without annotating', async () => {
    const { options } = await parse(CLUSTER);
    expect(options?.audit).toEqual({ intervalMs: 3_600_000, annotate: 'off', leaseDurationMs: 15_000 });
  });

  it('reads the interval, the annotation mode and the lease duration; 0 turns the audit off', async () => {
    const { options } = await parse([
      ...CLUSTER,
      '--audit-interval',
      '10m',
      '--audit-annotate',
      'kritis',
      '--audit-lease-duration',
      '30s',
    ]);
    expect(options?.audit).toEqual({ intervalMs: 600_000, annotate: 'kritis', leaseDurationMs: 30_000 });
    expect((await parse([...CLUSTER, '--audit-interval', '0'])).options?.audit).toBeUndefined();
  });

  it('has no audit with policies from a folder, and refuses audit flags there', async () => {
    expect((await parse(LOCAL)).options?.audit).toBeUndefined();
    expect((await parse([...LOCAL, '--audit-interval', '0'])).options?.audit).toBeUndefined();
    const refused = await parse([...LOCAL, '--audit-annotate', 'signet']);
    expect(refused.options).toBeUndefined();
    expect(refused.err).toContain('--audit-annotate needs --kubernetes');
  });

  it('refuses a bad mode, a bad duration and a lease under a second', async () => {
    expect((await parse([...CLUSTER, '--audit-annotate', 'label'])).err).toContain(
      'Allowed choices are off, signet, kritis',
    );
    expect((await parse([...CLUSTER, '--audit-interval', 'hourly'])).err).toContain('expected a duration');
    expect((await parse([...CLUSTER, '--audit-lease-duration', '500ms'])).err).toContain('at least 1s');
  });
});
