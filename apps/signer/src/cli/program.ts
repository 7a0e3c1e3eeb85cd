import { defaultStoreUrl, STORE_TLS_FLAGS } from '@signet/grafeas-client/defaults';
import { Command, Option, type OutputConfiguration } from 'commander';
import type { CommandAction, CommandContext, CommandResult } from '../common/command-result.js';
import { exitCodeHelp } from '../common/exit-codes.js';
import { resolveGlobalOptions } from '../common/global-options.js';
import { DEFAULT_REGISTRY_TIMEOUT } from '../common/registry-defaults.js';
import { KEY_VERSION_FORM } from '../sign/kms/key-version-name.js';

/** Called with each finished command's result; `runCli` prints it. */
export type ResultSink = (result: CommandResult, context: CommandContext) => void;

type Loader<Options> = () => Promise<{ run: CommandAction<Options> }>;

const imageHelp =
  'the image: REGISTRY/REPO@sha256:HEX, or REGISTRY/REPO:TAG resolved to its digest by the registry';

const registryHelp =
  '\n--image REPO:TAG asks the registry which digest the tag names (as `signet resolve` does), says it on\n' +
  'stderr, and works on REPO@sha256:… only: a tag is never signed. An image given by digest is taken as\n' +
  'is; the registry is not asked.\n' +
  'Credentials: --registry-config, then Application Default Credentials for gcr.io, *.gcr.io and\n' +
  '*-docker.pkg.dev, then anonymous. Environment: SIGNET_REGISTRY_CONFIG, SIGNET_REGISTRY_CA.';

/** The registry flags of `resolve`, and of every command that takes --image (to resolve a tag). */
function withRegistryOptions(command: Command, timeoutFlag: string): Command {
  return command
    .addOption(
      new Option('--registry-config <file>', 'registry credentials: a Docker config.json (auths)').env(
        'SIGNET_REGISTRY_CONFIG',
      ),
    )
    .addOption(
      new Option(
        '--registry-ca <file>',
        'a CA certificate (PEM) to trust for registries, beside the system roots',
      ).env('SIGNET_REGISTRY_CA'),
    )
    .option('--insecure-registry <host:port>', 'a registry served over plain HTTP (repeatable)', collect)
    .option(
      `${timeoutFlag} <duration>`,
      'give up asking the registry after this long',
      DEFAULT_REGISTRY_TIMEOUT,
    );
}

const signHelp = `
One key source:
  --pgp-key FILE                          an armored OpenPGP private key
  --gpg-user UID                          a key of your GnuPG keyring
  --pkix-key FILE --pkix-algorithm ALG    a PEM private key
  --kms-key ${KEY_VERSION_FORM}
      a Cloud KMS asymmetric signing key version, called with Application Default Credentials
      (\`gcloud auth application-default login\`, GOOGLE_APPLICATION_CREDENTIALS, or Workload Identity;
      the identity needs roles/cloudkms.signerVerifier). Its algorithm comes from Cloud KMS and must be
      one Binary Authorization accepts (EC_SIGN_P256_SHA256, EC_SIGN_P384_SHA384, RSA_SIGN_PSS_*,
      RSA_SIGN_PKCS1_*). The attestation is what \`gcloud beta container binauthz attestations
      sign-and-create\` writes: key id //cloudkms.googleapis.com/v1/<key version>, a DER ECDSA or RSA
      signature. Register that key id with the public key (\`gcloud kms keys versions get-public-key\`)
      in the AttestationAuthority or attestor.

--payload-form gcloud signs gcloud's exact payload (type "Google cloud binauthz container signature",
indented JSON, trailing newline) instead of the containers/image one; both verify everywhere Signet checks.

  --cosign-key FILE
      a cosign private key (\`cosign generate-key-pair\`: "ENCRYPTED SIGSTORE PRIVATE KEY"), password from
      COSIGN_PASSWORD, else asked on the terminal. Instead of a Grafeas attestation it does what
      \`cosign sign --key FILE --tlog-upload=false\` does: appends the signature to the image's
      sha256-<hex>.sig tag in the registry (no --note, no store, no transparency log), with push
      rights from --registry-config. --cosign-repository REPO (or COSIGN_REPOSITORY) stores it there
      instead. \`cosign verify --key cosign.pub --insecure-ignore-tlog=true IMAGE@sha256:HEX\` accepts it.
      With --predicate FILE --type URI it writes an in-toto attestation (a DSSE envelope) to the
      sha256-<hex>.att tag instead, as \`cosign attest\` does; \`cosign verify-attestation --type URI\`
      accepts it.

--payload-form gcloud signs gcloud's exact payload (type "Google cloud binauthz container signature",
indented JSON, trailing newline) instead of the containers/image one; both verify everywhere Signet checks.

Examples:
  signet sign --image gcr.io/p/app@sha256:HEX --note projects/p/notes/qa --pgp-key qa.key
  COSIGN_PASSWORD=… signet sign --image registry.example/team/app:1.4 --cosign-key cosign.key \\
    --registry-config ~/.docker/config.json
  signet sign --image registry.example/team/app@sha256:HEX --cosign-key cosign.key \\
    --predicate provenance.json --type https://slsa.dev/provenance/v1
  signet sign --image gcr.io/p/app@sha256:HEX --note projects/p/notes/qa \\
    --kms-key projects/p/locations/global/keyRings/ring/cryptoKeys/signer/cryptoKeyVersions/1 --payload-form gcloud

Environment: SIGNET_KMS_ENDPOINT (as --kms-endpoint; a loopback URL is called without credentials).`;

const keygenHelp = `
--cosign writes what \`cosign generate-key-pair\` writes: an ECDSA P-256 key pair, PREFIX.key
("ENCRYPTED SIGSTORE PRIVATE KEY": scrypt and NaCl secretbox, mode 600) and PREFIX.pub (PEM, mode 644),
PREFIX from --output-key-prefix (a path; default cosign, in the current folder). The password comes from
COSIGN_PASSWORD (set, even empty), else it is asked twice on the terminal, else exit 2. Existing files
are never overwritten (exit 2). cosign sign --key PREFIX.key and signet sign --cosign-key PREFIX.key
sign with it; publicKeyData of a cosign authority is \`base64 -w0 PREFIX.pub\`.

Examples:
  signet keygen --name CI --email ci@example.com --out ci.key --passphrase-env KEY_PASS
  COSIGN_PASSWORD=… signet keygen --cosign --output-key-prefix release   # release.key, release.pub`;

const cosignHelp =
  '\nAn AttestationAuthority with spec.cosign is judged on what cosign stored in the registry (the\n' +
  'sha256-<hex>.sig and .att tags, Sigstore bundles), read through the registry flags. A registry that\n' +
  'fails or refuses access is exit 3, never "not signed".\n' +
  'Credentials: --registry-config, then Application Default Credentials for gcr.io, *.gcr.io and\n' +
  '*-docker.pkg.dev, then anonymous. Environment: SIGNET_REGISTRY_CONFIG, SIGNET_REGISTRY_CA.';

/** A command that judges cosign authorities: the registry flags, read only when one asks. */
function cosignCommand(command: Command): Command {
  return withRegistryOptions(command, '--registry-timeout').addHelpText('after', cosignHelp);
}

/** A command that takes --image: a tag is resolved through the registry flags. */
function imageCommand(program: Command, name: string): Command {
  const command = program.command(name).requiredOption('--image <ref>', imageHelp);
  return withRegistryOptions(command, '--registry-timeout').addHelpText('after', registryHelp);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One progress line redrawn in place, ended by a newline when the scan is done. */
function terminalProgress(write: (text: string) => void): (line: string, done: boolean) => void {
  return (line, done) => write(`\r\u001b[2K${line}${done ? '\n' : ''}`);
}

export function buildProgram(
  version: string,
  sink: ResultSink,
  env: NodeJS.ProcessEnv,
  output: OutputConfiguration,
  stderrIsTty = false,
): Command {
  const program = new Command('signet');
  program
    .description(
      'Sign container images by digest, and check them as the Signet admission webhook does ' +
        '(Grafeas attestations, Kritis policies).',
    )
    .exitOverride()
    .configureOutput(output)
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureHelp({ showGlobalOptions: true })
    .addOption(
      new Option('--store <url>', 'metadata store: sqlite:PATH, containeranalysis[:URL], grafeas:URL').env(
        'SIGNET_STORE',
      ),
    )
    .addOption(
      new Option('--api <version>', 'Grafeas API version (v1beta1 for a grafeas: store)')
        .choices(['v1', 'v1beta1'])
        .env('SIGNET_API')
        .default('v1'),
    );
  for (const flag of STORE_TLS_FLAGS)
    program.addOption(new Option(flag.flags, flag.description).env(flag.env));
  program
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '-q, --quiet',
      'no progress on stderr (shown only on a terminal, while a grafeas: project is read)',
    )
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `\nDefault store: ${defaultStoreUrl(env)} (created on first use).\n` +
        'Environment: SIGNET_STORE, SIGNET_API, SIGNET_STORE_CA, SIGNET_STORE_CERT, SIGNET_STORE_KEY,\n' +
        '  SIGNET_DEBUG=1 (stack traces on errors).\n\n' +
        exitCodeHelp,
    );

  const action =
    <Options>(load: Loader<Options>, operands?: (command: Command) => object) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const merged = command.optsWithGlobals();
      const global = resolveGlobalOptions(
        merged,
        env,
        command.getOptionValueSourceWithGlobals('api') === 'default',
      );
      const context: CommandContext = {
        global:
          stderrIsTty && merged.quiet !== true
            ? { ...global, scanProgress: terminalProgress((text) => output.writeErr?.(text)) }
            : global,
        env,
        progress: (line) => output.writeErr?.(`${line}\n`),
      };
      const { run } = await load();
      const options = { ...command.opts(), ...operands?.(command) } as Options;
      sink(await run(options, context), context);
    };

  const note = program.command('note').description('manage attestation notes');
  note
    .command('create')
    .description('create an ATTESTATION note (an existing note is not an error)')
    .requiredOption('--project <project>', 'the project that owns the note')
    .requiredOption('--note-id <id>', 'the note id (projects/PROJECT/notes/ID)')
    .option('--description <text>', 'a human-readable description of the note')
    .action(action(() => import('../commands/note-create.js')));

  imageCommand(program, 'sign')
    .description(
      'sign an image and store the attestation occurrence, or (--cosign-key) write a cosign signature to the registry',
    )
    .option('--note <name>', 'the attestation note: projects/P/notes/N (required but with --cosign-key)')
    .option('--project <project>', "the occurrence's project (default: the note's)")
    .addOption(
      new Option('--pgp-key <file>', 'an armored OpenPGP private key').conflicts([
        'gpgUser',
        'pkixKey',
        'kmsKey',
        'cosignKey',
      ]),
    )
    .option('--pgp-passphrase-env <var>', 'the environment variable holding the PGP key passphrase')
    .addOption(
      new Option('--gpg-user <uid>', 'sign with this key of your GnuPG keyring').conflicts([
        'pkixKey',
        'kmsKey',
        'cosignKey',
      ]),
    )
    .addOption(
      new Option('--pkix-key <file>', 'a PEM private key (PKCS#8, SEC1 or PKCS#1)').conflicts([
        'kmsKey',
        'cosignKey',
      ]),
    )
    .option('--pkix-algorithm <alg>', 'e.g. ECDSA_P256_SHA256, RSA_SIGN_PKCS1_2048_SHA256')
    .addOption(
      new Option('--kms-key <version>', `a Cloud KMS key version: ${KEY_VERSION_FORM}`).conflicts([
        'cosignKey',
      ]),
    )
    .option(
      '--cosign-key <file>',
      "a cosign private key (cosign.key): write a cosign signature to the image's registry",
    )
    .option(
      '--predicate <file>',
      'with --cosign-key and --type: write a cosign attestation of this JSON predicate',
    )
    .option(
      '--type <uri>',
      'with --predicate: the predicate type, a URI (e.g. https://slsa.dev/provenance/v1)',
    )
    .option(
      '--cosign-repository <repo>',
      'with --cosign-key: store the signature in this repository (env COSIGN_REPOSITORY), as cosign does',
    )
    .addOption(
      new Option(
        '--kms-endpoint <url>',
        'the Cloud KMS root URL (default https://cloudkms.googleapis.com/)',
      ).env('SIGNET_KMS_ENDPOINT'),
    )
    .addOption(
      new Option('--payload-form <form>', 'what is signed: signet (containers/image) or gcloud')
        .choices(['signet', 'gcloud'])
        .default('signet'),
    )
    .option('--policy <file>', 'a VulnzSigningPolicy: refuse to sign an image that fails it')
    .option('--vulnz-project <project>', 'where the image vulnerabilities are (default: from the registry)')
    .option('--wait <duration>', 'with --policy: wait up to this long for the scan to finish (e.g. 5m)')
    .addHelpText('after', signHelp)
    .action(action(() => import('../commands/sign.js')));

  imageCommand(program, 'attach')
    .description('upload a PGP signature made elsewhere (gpg -a --sign, skopeo), after verifying it')
    .requiredOption('--note <name>', 'the attestation note: projects/P/notes/N')
    .requiredOption('--signature <file>', 'the attached signature, armored or binary')
    .requiredOption('--pgp-key-id <fpr>', 'the fingerprint of the signing key')
    .option('--public-key <file>', 'the armored public key (default: exported from your GnuPG keyring)')
    .option('--project <project>', "the occurrence's project (default: the note's)")
    .action(action(() => import('../commands/attach.js')));

  imageCommand(program, 'verify')
    .description(
      'exit 0 when every AttestationAuthority attests the image (its Grafeas note, its cosign signature), 1 otherwise',
    )
    .requiredOption('--authority <file>', 'an AttestationAuthority YAML file (repeatable)', collect)
    .addHelpText(
      'after',
      '\nspec.cosign: the signatures (and attestations) cosign stored for REPO@sha256:… are read from the\n' +
        'registry through the same flags, in spec.cosign.repository when it names one. A registry that fails\n' +
        'or refuses access is exit 3, never NOT ATTESTED.',
    )
    .action(action(() => import('../commands/verify.js')));

  imageCommand(program, 'check')
    .description("the image's vulnerability verdict under a VulnzSigningPolicy")
    .requiredOption('--policy <file>', 'a VulnzSigningPolicy YAML file')
    .option('--wait <duration>', 'wait up to this long for the scan to finish (e.g. 30s, 5m)')
    .option('--vulnz-project <project>', 'where the image vulnerabilities are (default: from the registry)')
    .action(action(() => import('../commands/check.js')));

  imageCommand(program, 'payload')
    .description('print the exact bytes that `signet sign` signs for the image')
    .addOption(
      new Option('--payload-form <form>', 'signet (containers/image) or gcloud (create-signature-payload)')
        .choices(['signet', 'gcloud'])
        .default('signet'),
    )
    .action(action(() => import('../commands/payload.js')));

  const resolve = program
    .command('resolve')
    .description('print each image pinned by the digest its registry serves (a multi-arch image: its index)')
    .argument('<images...>', 'images by tag: REGISTRY/REPO:TAG (nginx means docker.io/library/nginx:latest)');
  withRegistryOptions(resolve, '--timeout')
    .addHelpText(
      'after',
      '\nCredentials: --registry-config, then Application Default Credentials for gcr.io, *.gcr.io and\n' +
        '*-docker.pkg.dev, then anonymous.',
    )
    .action(
      action(
        () => import('../commands/resolve.js'),
        (command) => ({ images: command.args }),
      ),
    );

  cosignCommand(program.command('evaluate'))
    .description(
      "the webhook's decision for a manifest, from policy files (exit 0 when all admitted, 3: a backend failed)",
    )
    .requiredOption('--file <manifest>', 'a Kubernetes manifest (multi-document YAML allowed)')
    .requiredOption('--policies <dir>', 'a folder of Kritis resources (AttestationAuthority, policies)')
    .option('--namespace <ns>', 'the namespace objects without one are created in', 'default')
    .option('--vulnz-project <project>', 'where vulnerabilities of non-GCR images are looked up')
    .option('--settings <file>', 'the webhook cluster settings (noPolicy, breakglass, onBackendError)')
    .action(action(() => import('../commands/evaluate.js')));

  cosignCommand(program.command('audit'))
    .description(
      'judge every running Pod of a cluster as the webhook would now (exit 1: some violate, 3: the store or a registry failed)',
    )
    .option('--kubeconfig <file>', 'the cluster to audit (default: $KUBECONFIG or ~/.kube/config)')
    .option('--namespace <ns>', 'only this namespace (default: all)')
    .option(
      '--webhook-namespace <ns>',
      "the webhook's namespace, never audited (as admission never reviews it)",
      'signet',
    )
    .option('--vulnz-project <project>', 'where vulnerabilities of non-GCR images are looked up')
    .option('--settings <file>', 'the webhook cluster settings (noPolicy, breakglass, onBackendError)')
    .action(action(() => import('../commands/audit.js')));

  program
    .command('keygen')
    .description(
      'make an OpenPGP signing key pair: FILE (private) and FILE.pub; with --cosign, a cosign key pair',
    )
    .option('--name <name>', 'the user id name (required for an OpenPGP key)')
    .option('--email <email>', 'the user id email (required for an OpenPGP key)')
    .option('--out <file>', 'where to write the private key (the public key goes to FILE.pub)')
    .addOption(new Option('--type <type>', 'key type (default: ed25519)').choices(['ed25519', 'rsa']))
    .option('--passphrase-env <var>', 'protect the private key with the passphrase in this variable')
    .option('--cosign', 'make a cosign key pair instead, as `cosign generate-key-pair` does')
    .option(
      '--output-key-prefix <prefix>',
      'with --cosign: write PREFIX.key and PREFIX.pub (default: cosign)',
    )
    .addHelpText('after', keygenHelp)
    .action(action(() => import('../commands/keygen.js')));

  return program;
}
