import { builtImages } from './built-images.js';
import { requireContainerTools } from './container-tools.js';

/** Before any image test: fails the run, saying what to install or build, when the machine cannot run them. */
export default async function setup(): Promise<void> {
  await requireContainerTools();
  builtImages();
}
