import { describe, expect, it } from 'vitest';
import { warmUpDecision } from './warm-up.js';

describe('the warm-up decision made before the webhook listens', () => {
  it('goes the whole way: a policy, a verified PGP attestation, an admission', async () => {
    const decision = await warmUpDecision();
    expect(decision).toMatchObject({ allowed: true, reason: 'policy', violations: [] });
    expect(decision.perImage).toHaveLength(1);
    expect(decision.perImage[0]?.violations).toEqual([]);
  });
});
