import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@signet/grafeas-emulator';
import {
  deploymentReview,
  GUIDE,
  generateSelfSignedCert,
  guideWebhookSettings,
  podReview,
  prepareGuide,
} from '@signet/guide-world';
import { startWebhook } from '@signet/webhook';
import pino from 'pino';
import { postReview } from './post-review.js';

export interface DemoRow {
  review: string;
  allowed: boolean;
  code?: number;
  message: string;
  warnings: string[];
}

export interface DemoOptions {
  /** Where the story and the table go (default: stdout). */
  write?: (text: string) => void;
}

interface AdmissionAnswer {
  response?: { allowed?: boolean; status?: { code?: number; message?: string }; warnings?: string[] };
}

/**
 * The user's guide end to end, on this machine only: emulator, key, note, signatures, vulnerabilities,
 * policy folder, webhook over TLS, and the reviews a cluster would send. Stops everything it started.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoRow[]> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const workDir = await mkdtemp(join(tmpdir(), 'signet-demo-'));
  const step = (line: string) => write(`  • ${line}\n`);
  write('Signet demo: the user guide, end to end, with no cloud and no cluster\n\n');
  const world = await prepareGuide(workDir, startEmulator, step);
  try {
    const cert = await generateSelfSignedCert(workDir, { name: 'webhook' });
    step('generated a self-signed serving certificate for localhost with openssl');
    const logger = pino(
      { level: 'info' },
      pino.destination({ dest: join(workDir, 'webhook.log'), sync: true }),
    );
    const webhook = await startWebhook({ ...guideWebhookSettings(world, cert), logger });
    step(`started signet-webhook at ${webhook.url} (TLS 1.2+)`);
    try {
      const cases: [string, unknown][] = [
        ['Pod with a signed image', podReview({ name: 'web', images: [GUIDE.images.signed] })],
        ['Pod with an unsigned image', podReview({ name: 'cart', images: [GUIDE.images.unsigned] })],
        [
          'Pod with a vulnerable (signed) image',
          podReview({ name: 'legacy', images: [GUIDE.images.vulnerable] }),
        ],
        [
          'Pod with breakglass, unsigned image',
          podReview({
            name: 'hotfix',
            images: [GUIDE.images.unsigned],
            annotations: { 'kritis.grafeas.io/breakglass': 'true' },
          }),
        ],
        [
          'Deployment: signed + unsigned images',
          deploymentReview({ name: 'shop', images: [GUIDE.images.signed, GUIDE.images.unsigned] }),
        ],
        ['Deployment with a signed image', deploymentReview({ name: 'web', images: [GUIDE.images.signed] })],
      ];
      const rows: DemoRow[] = [];
      for (const [review, body] of cases) {
        const answer = await postReview(`${webhook.url}/validate?timeout=10s`, body, cert.certPem);
        const response = (answer.json as AdmissionAnswer).response ?? {};
        rows.push({
          review,
          allowed: response.allowed === true,
          ...(response.status?.code !== undefined ? { code: response.status.code } : {}),
          message: response.status?.message ?? '',
          warnings: response.warnings ?? [],
        });
      }
      write(`\n${formatTable(rows)}\n`);
      return rows;
    } finally {
      await webhook.stop();
      step('stopped the webhook');
    }
  } finally {
    await world.close();
    await rm(workDir, { recursive: true, force: true });
    step('stopped the emulator and removed the temporary files');
  }
}

function formatTable(rows: readonly DemoRow[]): string {
  const width = Math.max(...rows.map((r) => r.review.length), 'review'.length);
  const lines = [`${'review'.padEnd(width)}  decision`, `${'-'.repeat(width)}  --------`];
  for (const row of rows) {
    lines.push(`${row.review.padEnd(width)}  ${row.allowed ? 'ALLOWED' : `DENIED (${row.code ?? 403})`}`);
    const details = [
      ...(row.message ? row.message.split('\n') : []),
      ...row.warnings.map((w) => `warning: ${w}`),
    ];
    for (const detail of details) lines.push(`${' '.repeat(width)}    ${detail}`);
  }
  return lines.join('\n');
}
