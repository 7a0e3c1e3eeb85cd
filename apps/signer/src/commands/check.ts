import type { CommandAction } from '../cli/command-result.js';
import { parseDuration } from '../cli/duration.js';
import { ExitCode } from '../cli/exit-codes.js';
import { pinnedImage } from '../cli/image.js';
import { withStore } from '../cli/store.js';
import { readVulnzSigningPolicy } from '../policy/policy-files.js';
import { scanNotice, scanStatus } from '../policy/scan-status.js';
import { vulnerabilityProject, vulnerabilityVerdict } from '../policy/vulnerability-verdict.js';

interface CheckOptions {
  image: string;
  policy: string;
  wait?: string;
  vulnzProject?: string;
}

export const run: CommandAction<CheckOptions> = async (options, context) => {
  const image = pinnedImage(options.image);
  const waitMs = options.wait === undefined ? undefined : parseDuration(options.wait, '--wait');
  const policy = await readVulnzSigningPolicy(options.policy);
  const project = vulnerabilityProject(image, options.vulnzProject);
  return withStore(context.global, async (store) => {
    const scan = await scanStatus(store, image, project, waitMs, context);
    const verdict = await vulnerabilityVerdict(store, image, policy, project);
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
