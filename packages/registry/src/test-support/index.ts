export { fakeManifest } from './fake-manifest.js';
export { makeLayout, push, skopeoDigests } from './images.js';
export { type LoopbackServer, startCountingProxy, startLoopbackServer } from './loopback-server.js';
export { makePki, type TestPki } from './pki.js';
export { type RunningRegistry, startRegistry } from './registry-server.js';
export { tool } from './tools.js';
