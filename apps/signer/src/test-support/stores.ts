import { type RunningEmulator, startEmulator } from '@signet/grafeas-emulator';

/** A metadata store the CLI can be pointed at, and how to stop it. */
export interface StoreUnderTest {
  label: string;
  /** Global flags: --store and --api (empty for the default embedded store). */
  flags: string[];
  emulator?: RunningEmulator;
}

export type StoreKind = 'embedded' | 'emulator-v1' | 'emulator-v1beta1' | 'oss-grafeas';

export async function startStore(kind: StoreKind): Promise<StoreUnderTest> {
  if (kind === 'embedded') return { label: 'the embedded store (default path, v1)', flags: [] };
  if (kind === 'oss-grafeas') {
    const emulator = await startEmulator({ flavor: 'oss' });
    return {
      label: 'open-source Grafeas (v1beta1)',
      flags: ['--store', `grafeas:${emulator.url}`],
      emulator,
    };
  }
  const api = kind === 'emulator-v1' ? 'v1' : 'v1beta1';
  const emulator = await startEmulator({ flavor: 'google' });
  return {
    label: `Container Analysis emulator (${api})`,
    flags: ['--store', `containeranalysis:${emulator.url}`, '--api', api],
    emulator,
  };
}
