import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';

export interface FileWatch {
  close(): void;
}

/**
 * Calls `changed` (debounced) when any of `files` may have changed. It watches their folders, because
 * Kubernetes rotates a mounted Secret by swapping a `..data` symlink; a slow poll catches missed events.
 */
export function watchFiles(files: readonly string[], changed: () => void, pollIntervalMs: number): FileWatch {
  let debounce: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(debounce);
    debounce = setTimeout(changed, 50);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set(files.map((file) => dirname(file)))) {
    try {
      const watcher = watch(folder, schedule);
      watcher.on('error', () => {});
      watchers.push(watcher);
    } catch {
      // The poll below still catches changes.
    }
  }
  const poll = setInterval(changed, pollIntervalMs);
  poll.unref();
  return {
    close() {
      clearTimeout(debounce);
      clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    },
  };
}
