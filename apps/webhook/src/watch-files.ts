import { type FSWatcher, watch } from 'node:fs';
import { dirname } from 'node:path';

interface FileWatch {
  close(): void;
}

/**
 * Calls `changed` (debounced) when any of `files` may have changed. It watches their folders, because
 * Kubernetes rotates a mounted Secret by swapping a `..data` symlink; a slow poll catches missed events.
 */
function watchFiles(files: readonly string[], changed: () => void, pollIntervalMs: number): FileWatch {
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

export type ReloadResult = 'reloaded' | 'unchanged' | 'failed';

export interface FileReloader {
  /** Re-reads the files now; resolves true when this call installed something new. */
  reload(): Promise<boolean>;
  close(): void;
}

/**
 * Keeps what `load` reads from `files` installed: on a change (see watchFiles) or `reload()`, it loads,
 * compares `keyOf` with what is in use, and installs only what differs. A load or install that fails
 * keeps the old one and is reported as `failed`; the next change or poll tries again. Reloads run one at
 * a time, so the watcher and a caller never install twice, and no attempt, however it ends (even a
 * `report` that throws), stops the ones after it.
 */
export function watchAndReload<T>(options: {
  files: readonly string[];
  initialKey: string;
  load: () => Promise<T>;
  keyOf: (loaded: T) => string;
  install: (loaded: T) => void | Promise<void>;
  report: (result: ReloadResult, error?: unknown) => void;
  pollIntervalMs: number;
}): FileReloader {
  let current = options.initialKey;
  const attempt = async (): Promise<ReloadResult> => {
    const loaded = await options.load();
    const key = options.keyOf(loaded);
    if (key === current) return 'unchanged';
    await options.install(loaded);
    current = key;
    return 'reloaded';
  };
  const reloadOnce = async (): Promise<boolean> => {
    let result: ReloadResult;
    let failure: unknown;
    try {
      result = await attempt();
    } catch (error) {
      result = 'failed';
      failure = error;
    }
    try {
      options.report(result, failure);
    } catch (error) {
      // The report is the only place a failure goes: say so on stderr rather than lose it.
      process.emitWarning(`a file reload (${result}) could not be reported: ${String(error)}`);
    }
    return result === 'reloaded';
  };
  let queue: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<boolean> => {
    const next = queue.then(reloadOnce);
    queue = next;
    return next;
  };
  const watch = watchFiles(options.files, () => void reload(), options.pollIntervalMs);
  return { reload, close: () => watch.close() };
}
