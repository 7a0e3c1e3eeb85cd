import type { CommandAction } from '../cli/command-result.js';
import { ExitCode } from '../cli/exit-codes.js';
import { pinnedImage } from '../cli/image.js';
import { withStore } from '../cli/store.js';
import { scanNotice } from '../policy/scan-status.js';
import { prepareVulnerabilityCheck } from '../policy/vulnerability-check.js';

interface CheckOptions {
  image: string;
  policy: string;
  wait?: string;
  vulnzProject?: string;
}

export const run: CommandAction<CheckOptions> = async (options, context) => {
  const image = pinnedImage(options.image);
  const { policy, project, run: check } = await prepareVulnerabilityCheck(options, image, context);
  return withStore(context.global, async (store) => {
    const { scan, verdict } = await check(store);
    const notice = scanNotice(scan);
    return {
      exitCode: verdict.passed ? ExitCode.ok : ExitCode.verdictNo,
      text: `${verdict.passed ? 'PASS' : 'FAIL'} ${verdict.summary}${notice}`,
      json: {
        image: image.resourceUrl,
        policy: policy.metadata.name,
        project,
        scan,
        passed: verdict.passed,
        vulnerabilities: verdict.findings,
        excess: verdict.excess,
      },
    };
  });
};
