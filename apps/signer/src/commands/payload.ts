import { buildPayloadOfForm, type PayloadForm } from '@signet/signing';
import type { CommandAction } from '../common/command-result.js';
import { ExitCode } from '../common/exit-codes.js';
import { type ImageOptions, imageByDigest } from '../common/image.js';

interface PayloadOptions extends ImageOptions {
  payloadForm?: PayloadForm;
}

export const run: CommandAction<PayloadOptions> = async (options, context) => {
  const image = await imageByDigest(options, context);
  const payload = buildPayloadOfForm(
    { name: image.name, digest: image.digest },
    options.payloadForm ?? 'signet',
  );
  const text = Buffer.from(payload).toString('utf8');
  return {
    exitCode: ExitCode.ok,
    text,
    raw: payload,
    json: { image: image.input, resourceUrl: image.resourceUrl, digest: image.digest, payload: text },
  };
};
