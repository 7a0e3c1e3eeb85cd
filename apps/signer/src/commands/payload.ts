import { buildPayloadOfForm, type PayloadForm } from '@signet/signing';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { pinnedImage } from '../common/image.js';

export const run: CommandAction<{ image: string; payloadForm?: PayloadForm }> = async (options) => {
  const image = pinnedImage(options.image);
  const payload = buildPayloadOfForm(
    { name: image.name, digest: image.digest },
    options.payloadForm ?? 'signet',
  );
  const text = Buffer.from(payload).toString('utf8');
  return {
    exitCode: ExitCode.ok,
    text,
    raw: payload,
    json: { image: image.input, resourceUrl: image.resourceUrl, payload: text },
  };
};
