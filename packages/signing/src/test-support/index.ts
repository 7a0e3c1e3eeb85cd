export { fprLines, GpgHome, type GpgResult, primaryFprLines, validSigs } from './gpg.js';
