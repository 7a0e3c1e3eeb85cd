export { fakeManifest } from './fake-manifest.js';
export { makeLayout, type PushOptions, push, skopeoDigests } from './images.js';
export { type LoopbackServer, startCountingProxy, startLoopbackServer } from './loopback-server.js';
export { makePki, makeTokenSigner, type TestPki } from './pki.js';
export { freePort, type RegistrySetup, type RunningRegistry, startRegistry } from './registry-server.js';
export { type RunningTokenServer, startTokenServer } from './token-server.js';
export { tool } from './tools.js';
