export { type DemoOptions, type DemoRow, formatTable, runDemo } from './run-demo.js';
