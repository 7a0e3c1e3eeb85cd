export { GpgHome } from './gpg.js';
