/** The process exit codes `signet` promises (documented in `signet --help`). */
export const ExitCode = {
  ok: 0,
  /** A verdict of "no": not attested, policy failed, object would be denied. */
  verdictNo: 1,
  /** The invocation is wrong: flags, values, or the contents of the files it names. */
  usage: 2,
  /** The environment failed: a file could not be read, the store or gpg failed. */
  backend: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `Exit codes:
  0  success
  1  a verdict of "no" (not attested, policy failed, object denied)
  2  usage error (unknown flag, missing or invalid value, a named file that does not exist,
     a key, signature or policy that cannot be used, a wrong passphrase, a tag the registry
     does not have)
  3  backend or I/O error (a file that cannot be read, the metadata store unreachable or failing,
     gpg failing, a registry unreachable or refusing the credentials)`;
