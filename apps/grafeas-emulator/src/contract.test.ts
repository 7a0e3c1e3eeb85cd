import { openMetadataStore } from '@signet/grafeas-client';
import { runMetadataStoreContract } from '../../../packages/grafeas-client/src/test-support/contract.js';
import { startEmulator } from './server.js';

runMetadataStoreContract(
  'containeranalysis v1 (googleapis) -> emulator',
  async () => {
    const emulator = await startEmulator({ flavor: 'google' });
    const store = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1' });
    return { store, cleanup: emulator.close };
  },
  { dedupesAttestations: false, pgpSurvives: false },
);

runMetadataStoreContract(
  'containeranalysis v1beta1 (googleapis) -> emulator',
  async () => {
    const emulator = await startEmulator({ flavor: 'google' });
    const store = await openMetadataStore(`containeranalysis:${emulator.url}`, { api: 'v1beta1' });
    return { store, cleanup: emulator.close };
  },
  { dedupesAttestations: false, pgpSurvives: true },
);

runMetadataStoreContract(
  'grafeas: (plain HTTP) -> emulator in open-source Grafeas flavour',
  async () => {
    const emulator = await startEmulator({ flavor: 'oss' });
    const store = await openMetadataStore(`grafeas:${emulator.url}`);
    return { store, cleanup: emulator.close };
  },
  { dedupesAttestations: false, pgpSurvives: true },
);
