import { buildProgram, type WebhookCliOptions } from '../cli/program.js';

/** The checked options `signet-webhook ARGS` would start with, or what it wrote to stderr instead. */
export async function parseCli(args: string[]): Promise<{ options?: WebhookCliOptions; err: string }> {
  let err = '';
  let options: WebhookCliOptions | undefined;
  const program = buildProgram(
    async (checked) => {
      options = checked;
    },
    { writeOut: () => {}, writeErr: (s) => (err += s) },
  );
  await program.parseAsync(args, { from: 'user' }).catch(() => {});
  return { ...(options ? { options } : {}), err };
}
