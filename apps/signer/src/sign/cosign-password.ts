import { usageError } from '../common/cli-error.js';

/**
 * The password of a cosign private key, as cosign finds it: `COSIGN_PASSWORD` when it is set (an empty
 * value is an empty password), else a prompt on the terminal, else a usage error saying how to give it.
 */
export async function cosignPassword(env: NodeJS.ProcessEnv, keyFile: string): Promise<string> {
  const fromEnv = env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw usageError(
      'COSIGN_PASSWORD_MISSING',
      `the password of the cosign key ${keyFile} is needed, COSIGN_PASSWORD is not set, and there is no terminal to ask on`,
      'export COSIGN_PASSWORD=<the password given to `cosign generate-key-pair`> (empty for a key without one), e.g. from your CI secret store',
    );
  }
  return promptHidden(`Enter password for private key ${keyFile}: `);
}

/**
 * The password for a new cosign key (`signet keygen --cosign`), as `cosign generate-key-pair` takes it:
 * `COSIGN_PASSWORD` when set (empty is an empty password), else asked twice on the terminal, else a
 * usage error.
 */
export async function newCosignPassword(env: NodeJS.ProcessEnv): Promise<string> {
  const fromEnv = env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw usageError(
      'COSIGN_PASSWORD_MISSING',
      'a password for the new cosign key is needed, COSIGN_PASSWORD is not set, and there is no terminal to ask on',
      'export COSIGN_PASSWORD=<the new password> (empty for none), e.g. from your CI secret store',
    );
  }
  const password = await promptHidden('Enter password for private key: ');
  if ((await promptHidden('Enter password for private key again: ')) !== password) {
    throw usageError(
      'COSIGN_PASSWORD_MISMATCH',
      'the two passwords differ',
      'run it again and type the same password twice',
    );
  }
  return password;
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (finish: () => void) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      finish();
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(() => resolve(typed));
        if (char === '\u0003' || char === '\u0004') {
          return done(() =>
            reject(
              usageError(
                'COSIGN_PASSWORD_MISSING',
                'no password was entered',
                'enter the key password, or set COSIGN_PASSWORD',
              ),
            ),
          );
        }
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on('data', onData);
  });
}
