import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type ImageOptions, imageByDigest } from '../common/image.js';
import { withStore } from '../common/store.js';
import { scanNotice } from '../policy-io/scan-status.js';
import { prepareVulnerabilityCheck } from '../policy-io/vulnerability-check.js';

interface CheckOptions extends ImageOptions {
  policy: string;
  wait?: string;
  vulnzProject?: string;
}

export const run: CommandAction<CheckOptions> = async (options, context) => {
  const image = await imageByDigest(options, context);
  const { policy, project, run: check } = await prepareVulnerabilityCheck(options, image, context);
  return withStore(context.global, async (store) => {
    const { scan, decision } = await check(store);
    const notice = scanNotice(scan);
    return {
      exitCode: decision.passed ? ExitCode.ok : ExitCode.verdictNo,
      text: `${decision.passed ? 'PASS' : 'FAIL'} ${decision.summary}${notice}`,
      json: {
        image: image.resourceUrl,
        policy: policy.metadata.name,
        project,
        scan,
        passed: decision.passed,
        vulnerabilities: decision.findings,
        excess: decision.excess,
      },
    };
  });
};
