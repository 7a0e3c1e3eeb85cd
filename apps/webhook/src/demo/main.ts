import { isSignetError } from '@signet/signing';
import { runDemo } from './run-demo.js';

try {
  await runDemo();
} catch (error) {
  process.stderr.write(`signet demo failed: ${isSignetError(error) ? error.explain() : String(error)}\n`);
  process.exitCode = 1;
}
