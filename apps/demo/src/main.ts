import { isSignetError } from '@signet/errors';
import { runDemo } from './run-demo.js';

try {
  await runDemo();
} catch (error) {
  process.stderr.write(`signet demo failed: ${isSignetError(error) ? error.explain() : String(error)}\n`);
  process.exitCode = 1;
}
