import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageBuildError, runTool } from './run.js';
import { DEBIAN_PACKAGES, IMAGE_USER } from './spec.js';

/** One Debian package unpacked into the root filesystem, as the SBOM and images.json record it. */
export interface DebianPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly sha256: string;
}

/**
 * Downloads the image's Debian packages from the machine's own apt sources and unpacks them with
 * `dpkg-deb -x` (no maintainer scripts run, so what they would make is made here: the CA bundle and
 * the package database that scanners read).
 */
export async function stageDebianRootfs(workDir: string, rootfs: string): Promise<DebianPackage[]> {
  const debDir = join(workDir, 'debs');
  rmSync(debDir, { recursive: true, force: true });
  mkdirSync(debDir, { recursive: true });
  await downloadDebs(debDir);
  const debs = readdirSync(debDir)
    .filter((file) => file.endsWith('.deb'))
    .sort();
  const packages: DebianPackage[] = [];
  for (const deb of debs) {
    const path = join(debDir, deb);
    await runTool('dpkg-deb', ['-x', path, rootfs]);
    const control = await runTool('dpkg-deb', ['-f', path]);
    packages.push(describePackage(control, readFileSync(path)));
    writeStatusEntry(rootfs, control);
  }
  pruneUnusable(rootfs);
  writeCaBundle(rootfs);
  writeAccounts(rootfs);
  return packages;
}

async function downloadDebs(debDir: string): Promise<void> {
  try {
    await runTool('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', ...DEBIAN_PACKAGES], {
      cwd: debDir,
    });
  } catch (error) {
    if (!(error instanceof ImageBuildError)) throw error;
    throw new ImageBuildError(
      `apt-get could not download the image's Debian packages (${DEBIAN_PACKAGES.join(', ')}): ${error.message}`,
      'run apt-get update (the package lists may be missing or stale), and check the machine reaches its Debian mirror',
    );
  }
}

function describePackage(control: string, bytes: Buffer): DebianPackage {
  const field = (name: string) => control.match(new RegExp(`^${name}: (.+)$`, 'm'))?.[1] ?? '';
  return {
    name: field('Package'),
    version: field('Version'),
    architecture: field('Architecture'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** distroless's layout: one control file per package, which image scanners read as dpkg's status. */
function writeStatusEntry(rootfs: string, control: string): void {
  const dir = join(rootfs, 'var/lib/dpkg/status.d');
  mkdirSync(dir, { recursive: true });
  const name = control.match(/^Package: (.+)$/m)?.[1] ?? 'unknown';
  const withStatus = control.replace(/^(Package: .+\n)/m, '$1Status: install ok installed\n');
  writeFileSync(join(dir, name), withStatus.endsWith('\n') ? withStatus : `${withStatus}\n`);
}

/**
 * Shell scripts (there is no shell to run them), manuals and debugger helpers: nothing in the image
 * could use them. The copyright files stay.
 */
function pruneUnusable(rootfs: string): void {
  for (const path of [
    'usr/sbin/update-ca-certificates',
    'etc/ca-certificates/update.d',
    'usr/share/man',
    'usr/share/info',
    'usr/share/lintian',
    'usr/share/gdb',
    'usr/share/gcc',
  ]) {
    rmSync(join(rootfs, path), { recursive: true, force: true });
  }
  const docs = join(rootfs, 'usr/share/doc');
  for (const pkg of readdirSync(docs, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue; // a link to another package's folder (libgcc-s1 → gcc-12-base)
    for (const file of readdirSync(join(docs, pkg.name))) {
      if (file !== 'copyright') rmSync(join(docs, pkg.name, file), { recursive: true, force: true });
    }
  }
}

/** What update-ca-certificates would write: every Mozilla certificate, in name order. */
function writeCaBundle(rootfs: string): void {
  const mozilla = join(rootfs, 'usr/share/ca-certificates/mozilla');
  const certificates = readdirSync(mozilla)
    .filter((file) => file.endsWith('.crt'))
    .sort()
    .map((file) => readFileSync(join(mozilla, file), 'utf8').trimEnd());
  if (certificates.length === 0) {
    throw new ImageBuildError(
      'ca-certificates unpacked no certificates',
      'check the ca-certificates package',
    );
  }
  mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/ssl/certs/ca-certificates.crt'), `${certificates.join('\n')}\n`);
}

/** root and nonroot, so that the process's uid has a name; /tmp for what the Pod mounts there. */
function writeAccounts(rootfs: string): void {
  const { uid, gid, name } = IMAGE_USER;
  const home = `/home/${name}`;
  writeFileSync(
    join(rootfs, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\n${name}:x:${uid}:${gid}:${name}:${home}:/sbin/nologin\n`,
  );
  writeFileSync(join(rootfs, 'etc/group'), `root:x:0:\n${name}:x:${gid}:\n`);
  mkdirSync(join(rootfs, home.slice(1)), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
}
