import { GUIDE } from '@signet/guide-world';
import { describe, expect, it } from 'vitest';
import { runDemo } from './run-demo.js';

describe('the demo (pnpm demo)', () => {
  it('plays the guide and prints each decision with its message', async () => {
    let printed = '';
    const rows = await runDemo({ write: (text) => (printed += text) });
    expect(rows.map((row) => [row.review, row.allowed])).toEqual([
      ['Pod with a signed image', true],
      ['Pod with an unsigned image', false],
      ['Pod with a vulnerable (signed) image', false],
      ['Pod with breakglass, unsigned image', true],
      ['Deployment: signed + unsigned images', false],
      ['Deployment with a signed image', true],
    ]);
    expect(rows[1]?.message).toContain(`no attestation by AttestationAuthority ${GUIDE.attestor}`);
    expect(rows[2]?.message).toContain('CVE-2024-3094');
    expect(rows[2]?.message).not.toContain('CVE-2021-44228');
    expect(rows[3]?.warnings[0]).toMatch(/breakglass/);
    expect(rows[4]?.message).toContain(GUIDE.images.unsigned);
    expect(rows[4]?.message).not.toContain(`image ${GUIDE.images.signed}`);
    expect(printed).toMatch(/Pod with a signed image\s+ALLOWED/);
    expect(printed).toContain('stopped the emulator and removed the temporary files');
  });
});
